-- conv1d{out_channels, k = 3, stride = 1, pad = "valid" | "same" | p | {left, right}, bias = true, init, bias_init,
--        groups = 1, dilation = 1}
-- over a (channels x length) input; computed as a conv2d of height 1.
local util = require("ops.util")
local conv = require("ops.conv_core")

local op = { positional = { "out channels" }, keys = conv.KEYS }

function op.infer(node, shape)
  util.expect_rank(node, shape, { 2 }, "a sequence (channels x length); conv1d needs 2 dimensions")
  local cout, bias = conv.common_args(node)
  local k = util.int(node, "k", node.args.k)
  local s = util.int(node, "stride", node.args.stride or 1)
  local p = conv.pad_arg(node, node.args.pad, false)
  local d = util.int(node, "dilation", node.args.dilation or 1)
  conv.setup(node, { cin = shape[1], cout = cout, H = 1, W = shape[2], kh = 1, kw = k,
    sh = 1, sw = s, pad_h = 0, pad_w = p[2], axis_w = "length", groups = conv.groups_arg(node),
    dil_h = 1, dil_w = d }, bias)
  local c = node.conv
  node.desc = conv.describe(node, "conv1d")
  node.params = util.weight_and_bias(node, bias, { cout, c.cin_g, k }, c.cin_g * k, cout * k)
  return { cout, node.conv.Wo }
end

op.plan = conv.plan
op.forward = conv.forward
op.backward = conv.backward

op.strategy = conv.strategy

return op
