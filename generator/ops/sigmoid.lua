-- sigmoid{}: y = 1 / (1 + exp(-x)); dy/dx = y (1 - y).
return require("ops.elementwise").op{
  forward = function(g)
    return string.format("y[i] = %s / (%s + %s(-x[i]));", g.one, g.one, g.fn("exp"))
  end,
  backward = function(g) return string.format("d * y[i] * (%s - y[i])", g.one) end,
}
