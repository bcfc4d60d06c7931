-- conv2d{out_channels, k = 3 | {kh, kw}, stride = 1 | {sh, sw},
--        pad = "valid" | "same" | p | {ph, pw} | {top, left, bottom, right}, bias = true, init, bias_init,
--        groups = 1, dilation = 1 | {dh, dw}}
local util = require("ops.util")
local conv = require("ops.conv_core")

local op = { positional = { "out channels" }, keys = conv.KEYS }

function op.infer(node, shape)
  util.expect_rank(node, shape, { 3 }, "an image (channels x height x width); conv2d needs 3 dimensions")
  local cout, bias = conv.common_args(node)
  local k = util.pair(node, "k", node.args.k)
  local s = util.pair(node, "stride", node.args.stride or 1)
  local p = conv.pad_arg(node, node.args.pad, true)
  local d = util.pair(node, "dilation", node.args.dilation or 1)
  conv.setup(node, { cin = shape[1], cout = cout, H = shape[2], W = shape[3], kh = k[1], kw = k[2],
    sh = s[1], sw = s[2], pad_h = p[1], pad_w = p[2], groups = conv.groups_arg(node),
    dil_h = d[1], dil_w = d[2] }, bias)
  local c = node.conv
  node.desc = conv.describe(node, "conv2d")
  node.params = util.weight_and_bias(node, bias, { cout, c.cin_g, c.kh, c.kw },
    c.cin_g * c.kh * c.kw, cout * c.kh * c.kw)
  return { cout, c.Ho, c.Wo }
end

op.forward = conv.forward
op.plan = conv.plan
op.absorbs = conv.absorbs
op.backward = conv.backward

op.strategy = conv.strategy

return op
