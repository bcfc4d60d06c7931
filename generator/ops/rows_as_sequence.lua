-- rows_as_sequence{}: reads a one-channel image (1 x H x W) as a sequence of
-- H steps with W features each, i.e. a (W x H) input for conv1d:
-- y[f][n][t] = x[0][n][t][f].
local errors = require("errors")
local util = require("ops.util")

local op = { positional = {}, keys = {} }

function op.infer(node, shape)
  util.expect_rank(node, shape, { 3 }, "an image (channels x height x width)")
  if shape[1] ~= 1 then
    errors.layer_fail(node, "input %s has %d channels; rows_as_sequence reads a one-channel image",
      util.shape_str(shape), shape[1])
  end
  node.seq = { H = shape[2], W = shape[3] }
  node.desc = "rows_as_sequence"
  return { shape[3], shape[2] }
end

local function loops(node, w, stmt)
  local H, W = node.seq.H, node.seq.W
  w:line("#pragma omp parallel for")
  w:open("for (int f = 0; f < %d; ++f) {", W)
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("for (int t = 0; t < %d; ++t) %s", H,
    stmt(string.format("((size_t)i * %d + t) * %d + f", H, W), string.format("((size_t)f * n + i) * %d + t", H)))
  w:close()
  w:close()
end

function op.forward(node, w, g)
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  loops(node, w, function(src, dst) return string.format("y[%s] = x[%s];", dst, src) end)
end

function op.backward(node, w, g)
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  loops(node, w, function(src, dst) return string.format("dx[%s] %s dy[%s];", src, util.dx_op(node), dst) end)
end

function op.strategy() return "copy" end

return op
