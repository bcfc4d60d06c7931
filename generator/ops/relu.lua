-- relu{}: y = max(x, 0); the gradient at exactly 0 is 0, as in PyTorch. The
-- backward loads dy[i] unconditionally so that the select vectorizes (a load
-- under the condition is control flow GCC cannot if-convert).
return require("ops.elementwise").op{
  forward = function(g) return string.format("y[i] = x[i] > %s ? x[i] : %s;", g.zero, g.zero) end,
  backward = function(g)
    return string.format("const %s d = dy[i]; dx[i] += x[i] > %s ? d : %s;", g.T, g.zero, g.zero)
  end,
}
