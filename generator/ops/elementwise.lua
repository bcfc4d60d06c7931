-- Builds an op module for an elementwise activation from C over index i: a
-- forward statement that reads x[i] and writes y[i], and the backward's
-- gradient of x[i] as an expression of d = dy[i], x[i] and y[i]. dy[i] is
-- loaded before any select, so that the select vectorizes (a load under a
-- condition is control flow GCC cannot if-convert).
local util = require("ops.util")

local elementwise = {}

function elementwise.op(def)
  -- scalar_forward: the statement alone, for the inference export's epilogues
  local op = { positional = def.positional or {}, keys = def.keys or {}, scalar_forward = def.forward }

  function op.infer(node, shape)
    if def.setup then def.setup(node) end
    node.desc = def.describe and def.describe(node) or node.op
    node.elems = util.numel(shape)
    return shape
  end

  local function loop(node, w, body)
    w:line("#pragma omp parallel for")
    w:open("for (size_t i = 0; i < (size_t)n * %d; ++i) {", node.elems)
    w:line(body)
    w:close()
  end

  function op.forward(node, w, g)
    w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
    w:line("%s *y = %s;", g.T, g.acts(node.out_off))
    loop(node, w, def.forward(g, node))
  end

  function op.backward(node, w, g)
    w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
    w:line("const %s *y = %s;", g.T, g.acts(node.out_off))
    w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
    w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
    w:line("(void)x;")
    w:line("(void)y;")
    loop(node, w, string.format("const %s d = dy[i]; dx[i] %s %s;", g.T, util.dx_op(node), def.backward(g, node)))
  end

  function op.strategy() return "elementwise" end

  return op
end

return elementwise
