-- global_avgpool{}: mean over all positions of each channel; (C x H x W) or
-- (C x L) in, a vector of C features out (x[c][n][S] -> y[n][c]).
local util = require("ops.util")

local op = { positional = {}, keys = {} }

function op.infer(node, shape)
  util.expect_rank(node, shape, { 2, 3 }, "an image or a sequence")
  node.gap = { C = shape[1], S = util.numel(shape) // shape[1] }
  node.desc = "global_avgpool"
  return { shape[1] }
end

function op.forward(node, w, g)
  local C, S = node.gap.C, node.gap.S
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  w:line("#pragma omp parallel for")
  w:open("for (int c = 0; c < %d; ++c) {", C)
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("const %s *xp = x + ((size_t)c * n + i) * %d;", g.T, S)
  w:line("%s sum = %s;", g.T, g.zero)
  w:line("for (int j = 0; j < %d; ++j) sum += xp[j];", S)
  w:line("y[(size_t)i * %d + c] = sum * %s;", C, g.lit(1 / S))
  w:close()
  w:close()
end

function op.backward(node, w, g)
  local C, S = node.gap.C, node.gap.S
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  w:line("#pragma omp parallel for")
  w:open("for (int c = 0; c < %d; ++c) {", C)
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("%s *dxp = dx + ((size_t)c * n + i) * %d;", g.T, S)
  w:line("const %s d = dy[(size_t)i * %d + c] * %s;", g.T, C, g.lit(1 / S))
  w:line("for (int j = 0; j < %d; ++j) dxp[j] %s d;", S, util.dx_op(node))
  w:close()
  w:close()
end

function op.strategy() return "direct" end

return op
