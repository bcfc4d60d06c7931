-- leaky_relu{slope = 0.01}: y = x for x > 0, slope * x otherwise.
local util = require("ops.util")

return require("ops.elementwise").op{
  positional = { "slope" },
  keys = { "slope" },
  setup = function(node)
    local slope = node.args.slope or node.args[1] or 0.01
    node.slope = util.number(node, "slope", slope, 0, 1)
  end,
  describe = function(node) return string.format("leaky_relu %g", node.slope) end,
  forward = function(g, node)
    return string.format("y[i] = x[i] > %s ? x[i] : %s * x[i];", g.zero, g.lit(node.slope))
  end,
  backward = function(g, node)
    return string.format("x[i] > %s ? d : %s * d", g.zero, g.lit(node.slope))
  end,
}
