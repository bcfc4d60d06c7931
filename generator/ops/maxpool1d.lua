-- maxpool1d{k, stride = k, pad = 0, ceil_mode = false} over a (channels x length) sequence.
local errors = require("errors")
local util = require("ops.util")
local pool = require("ops.pool_core")

local op = { positional = { "k" }, keys = pool.KEYS }

function op.infer(node, shape)
  util.expect_rank(node, shape, { 2 }, "a sequence (channels x length); maxpool1d needs 2 dimensions")
  local a = node.args
  local kv = a.k or a[1]
  if kv == nil then errors.layer_fail(node, "missing the window size: write maxpool1d{2}") end
  local k = util.int(node, "k", kv)
  local s = util.int(node, "stride", a.stride or k)
  local pad = util.int(node, "pad", a.pad or 0, 0)
  pool.setup(node, { C = shape[1], H = 1, W = shape[2], kh = 1, kw = k, sh = 1, sw = s,
    ph = 0, pw = pad, axis_w = "length", ceil_mode = pool.flag(node, "ceil_mode", false) }, "max")
  node.desc = pool.describe(node, "maxpool1d")
  return { shape[1], node.pool.Wo }
end

op.forward = pool.forward
op.backward = pool.backward
function op.strategy() return "direct" end

return op
