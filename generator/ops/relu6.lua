-- relu6{}: y = min(max(x, 0), 6); the gradient passes for 0 < x < 6 only, zero at
-- exactly 0 and 6, as PyTorch's relu6 (hardtanh's backward) does.
return require("ops.elementwise").op{
  forward = function(g)
    return string.format("y[i] = x[i] > %s ? (x[i] < %s ? x[i] : %s) : %s;", g.zero, g.lit(6), g.lit(6), g.zero)
  end,
  backward = function(g)
    return string.format("x[i] > %s && x[i] < %s ? d : %s", g.zero, g.lit(6), g.zero)
  end,
}
