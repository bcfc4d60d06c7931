-- tanh{}: y = tanh(x); dy/dx = 1 - y^2.
return require("ops.elementwise").op{
  forward = function(g) return string.format("y[i] = %s(x[i]);", g.fn("tanh")) end,
  backward = function(g) return string.format("d * (%s - y[i] * y[i])", g.one) end,
}
