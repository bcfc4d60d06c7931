-- add: the elementwise sum of two or more branches of equal shape (made by
-- the add{} container and by residual{}); backward hands dy to every input.
-- With a fused relu (generator/fuse.lua) it outputs max(sum, 0).
local errors = require("errors")
local util = require("ops.util")

local op = { positional = {}, keys = {}, multi_input = true }

function op.infer(node, shapes)
  for i = 2, #shapes do
    if util.shape_str(shapes[i]) ~= util.shape_str(shapes[1]) then
      errors.layer_fail(node, "branch %d gives %s but branch 0 gives %s; added branches must have equal shapes",
        i - 1, util.shape_str(shapes[i]), util.shape_str(shapes[1]))
    end
  end
  node.desc = "add"
  node.elems = util.numel(shapes[1])
  return shapes[1]
end

function op.forward(node, w, g)
  for i, off in ipairs(node.in_offs) do w:line("const %s *x%d = %s;", g.T, i - 1, g.acts(off)) end
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  local terms = {}
  for i = 1, #node.in_offs do terms[i] = string.format("x%d[i]", i - 1) end
  w:line("#pragma omp parallel for")
  if util.fused_relu(node) then
    w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) { const %s v = %s; y[i] = v > %s ? v : %s; }", node.elems, g.T,
      table.concat(terms, " + "), g.zero, g.zero)
  else
    w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) y[i] = %s;", node.elems, table.concat(terms, " + "))
  end
end

function op.backward(node, w, g)
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  for i, off in ipairs(node.in_offs) do
    w:line("%s *dx%d = %s;", g.T, i - 1, g.dacts(off))
  end
  if util.masks_dy(node) then w:line("const %s *y = %s; /* the fused relu passes dy where y > 0 */", g.T, g.acts(node.out_off)) end
  -- one loop per input, in order: two inputs may be the same tensor
  for i = 1, #node.in_offs do
    w:open("if (need_dx & %d) {", 1 << (i - 1))
    w:line("#pragma omp parallel for")
    if util.masks_dy(node) then
      w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) { const %s d = dy[i]; dx%d[i] %s y[i] > %s ? d : %s; }",
        node.elems, g.T, i - 1, util.dx_op(node, i), g.zero, g.zero)
    else
      w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) dx%d[i] %s dy[i];", node.elems, i - 1, util.dx_op(node, i))
    end
    w:close()
  end
end

function op.strategy() return "elementwise" end

return op
