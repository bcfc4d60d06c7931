-- softmax{}: probabilities over a vector, computed with the max subtracted;
-- backward is the Jacobian-vector product dx = y * (dy - sum(dy * y)).
local errors = require("errors")
local util = require("ops.util")

local op = { positional = {}, keys = {} }

function op.infer(node, shape)
  if #shape ~= 1 then
    errors.layer_fail(node, "input %s is not a vector; add flatten{} before it", util.shape_str(shape))
  end
  node.classes = shape[1]
  node.desc = "softmax"
  return shape
end

function op.forward(node, w, g)
  local K = node.classes
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("const %s *xi = x + (size_t)i * %d;", g.T, K)
  w:line("%s *yi = y + (size_t)i * %d;", g.T, K)
  w:line("%s m = xi[0], sum = %s;", g.T, g.zero)
  w:line("for (int k = 1; k < %d; ++k) if (xi[k] > m) m = xi[k];", K)
  w:line("for (int k = 0; k < %d; ++k) { yi[k] = %s(xi[k] - m); sum += yi[k]; }", K, g.fn("exp"))
  w:line("for (int k = 0; k < %d; ++k) yi[k] /= sum;", K)
  w:close()
end

function op.backward(node, w, g)
  local K = node.classes
  w:line("const %s *y = %s;", g.T, g.acts(node.out_off))
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("const size_t r = (size_t)i * %d;", K)
  w:line("%s dot = %s;", g.T, g.zero)
  w:line("for (int k = 0; k < %d; ++k) dot += dy[r + k] * y[r + k];", K)
  w:line("for (int k = 0; k < %d; ++k) dx[r + k] %s y[r + k] * (dy[r + k] - dot);", K, util.dx_op(node))
  w:close()
end

function op.strategy() return "direct" end

return op
