-- relu{}: y = max(x, 0); the gradient at exactly 0 is 0, as in PyTorch.
return require("ops.elementwise").op{
  forward = function(g) return string.format("y[i] = x[i] > %s ? x[i] : %s;", g.zero, g.zero) end,
  backward = function(g)
    return string.format("x[i] > %s ? d : %s", g.zero, g.zero)
  end,
}
