-- elu{alpha = 1.0}: y = x for x > 0, alpha (exp(x) - 1) otherwise (expm1, exact
-- near 0); dy/dx = 1 for x > 0, alpha exp(x) = y + alpha otherwise, so that
-- backward reads y instead of calling exp again. At exactly 0 the gradient is
-- alpha's side, as in PyTorch.
local util = require("ops.util")

return require("ops.elementwise").op{
  positional = { "alpha" },
  keys = { "alpha" },
  setup = function(node)
    local alpha = node.args.alpha or node.args[1] or 1.0
    node.alpha = util.number(node, "alpha", alpha, 0, 100)
  end,
  describe = function(node) return string.format("elu %g", node.alpha) end,
  forward = function(g, node)
    return string.format("y[i] = x[i] > %s ? x[i] : %s * %s(x[i]);", g.zero, g.lit(node.alpha), g.fn("expm1"))
  end,
  backward = function(g, node)
    return string.format("x[i] > %s ? d : d * (y[i] + %s)", g.zero, g.lit(node.alpha))
  end,
}
