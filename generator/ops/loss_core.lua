-- Shared parts of the loss modules. A loss reads the network output z[n][F]
-- and a target t[n][F] (one-hot labels for classification), writes dL/dz
-- into the output's gradient slot and returns the batch-mean loss, summed in
-- double whatever the scalar type.
local errors = require("errors")
local util = require("ops.util")

local loss = {}

-- `follows`: an op that must not come right before this loss, and why.
function loss.op(def)
  local op = { kind = "loss", positional = {}, keys = def.keys or {} }

  function op.infer(node, shape, previous)
    if #shape ~= 1 then
      errors.layer_fail(node, "network output %s is not a vector; add flatten{} or global_avgpool{} before the loss",
        util.shape_str(shape))
    end
    if def.not_after and previous and previous.op == def.not_after then
      errors.layer_fail(node, "the last layer %s is a %s, but this loss takes logits and applies it itself; remove the %s",
        previous.path, def.not_after, def.not_after)
    end
    node.features = shape[1]
    if def.setup then def.setup(node) end
    node.desc = def.describe and def.describe(node) or node.op
    return shape
  end

  function op.emit(node, w, g)
    w:line("const %s *z = %s;", g.T, g.acts(node.in_off))
    w:line("%s *dz = %s;", g.T, g.dacts(node.in_off))
    w:line("double total = 0.0;")
    def.emit(node, w, g)
    w:line("return (%s)(total / %s);", g.T, def.per_element and "((double)n * " .. node.features .. ")" or "n")
  end

  -- Elementwise losses: `term` and `grad` are C expressions of z[i], t[i] and scale.
  if def.term then
    def.per_element = true
    def.emit = function(node, w, g)
      w:line("const %s scale = %s / ((%s)n * %d);", g.T, g.one, g.T, node.features)
      w:open("for (size_t i = 0; i < (size_t)n * %d; ++i) {", node.features)
      for _, stmt in ipairs(def.term(g)) do w:line(stmt) end
      w:close()
    end
  end

  return op
end

return loss
