-- Planning: the pass between fusion and emission. It decides how each layer
-- is computed and where every tensor lives, and leaves the answers on the
-- nodes for the emitters, which only read them:
--   strategies     each op's own op.plan(node), if it has one: a convolution
--                  picks gemm-1x1, im2col-gemm, direct or winograd and its
--                  tiling, and so the workspace it needs;
--   memory         offsets in the activation arena, the parameter array,
--                  the argmax indices and the shared workspace;
--   gradient writes  which backward is the first to write each tensor's
--                  gradient, and so assigns it rather than adding to it.
-- Nothing is planned twice: the emitters never choose.
local limits = require("limits")
local util = require("ops.util")

local plan = {}

function plan.strategies(nodes)
  for _, node in ipairs(nodes) do
    if node.module.plan then node.module.plan(node) end
    limits.check_workspace(node)
  end
end

-- Every node's output gets a slot in one activation arena (the input is slot
-- 0), and what a node keeps for backward (BN statistics, dropout masks) goes
-- after the last slot. All in elements, sized for the full batch and rounded
-- up to 16 elements (64-byte lines), within what the machine can hold
-- (limits.lua).
local function activations(nodes, settings)
  local acts = limits.array("activations", settings.batch, settings.fail)
  acts:grow(nil, acts:batched(util.numel(settings.input)))
  for _, node in ipairs(nodes) do
    node.out_off = acts.size
    acts:grow(node, acts:batched(util.numel(node.out_shape)))
  end
  for _, node in ipairs(nodes) do
    node.in_offs = {}
    for i, producer in ipairs(node.inputs) do node.in_offs[i] = producer.is_input and 0 or producer.out_off end
    node.in_off = node.in_offs[1]
    local saved = acts:batched(node.saved_per_image, node.saved)
    if saved ~= 0 then
      node.saved_off = acts.size
      acts:grow(node, saved)
    end
  end
  return acts.size
end

-- Parameters get offsets in one flat array and an index in the tensor table
-- (from 0), in the order of the nodes.
local function parameters(nodes, settings)
  local params, tensors = limits.array("parameters", nil, settings.fail), {}
  for _, node in ipairs(nodes) do
    node.p = {}
    for _, p in ipairs(node.params) do
      p.name = node.path .. "." .. p.suffix
      p.index = #tensors
      p.offset = params.size
      p.size = util.numel(p.shape)
      node.p[p.suffix] = params.size
      params:grow(node, p.size)
      tensors[#tensors + 1] = p
    end
  end
  return params.size, tensors
end

-- The argmax indices follow each other; the workspace is shared, as large as
-- the largest need.
local function indices_and_workspace(nodes, settings)
  local index = limits.array("argmax indices", settings.batch, settings.fail)
  local work, most = limits.array("workspace", settings.batch, settings.fail), 0
  for _, node in ipairs(nodes) do
    if node.index > 0 then
      node.index_off = index.size
      index:grow(node, index:batched(node.index))
    end
    local needs = work:batched(node.work, node.work_fixed)
    if not needs then work:fail(node) end
    most = math.max(most, needs)
  end
  return index.size, most
end

function plan.memory(nodes, loss, settings)
  local layout = { acts = activations(nodes, settings) }
  layout.params, layout.tensors = parameters(nodes, settings)
  layout.index, layout.work = indices_and_workspace(nodes, settings)
  local last = loss.input
  loss.in_off = last.out_off
  layout.input_size = util.numel(settings.input)
  layout.output_size, layout.output_off = util.numel(last.out_shape), last.out_off
  return layout
end

-- Backward runs the nodes in reverse; the first of them to write a tensor's
-- gradient assigns it and the later ones add to it (node.dx_assign[k] for
-- input k, read by the ops through util.dx_op), so that no gradient buffer is
-- zeroed in a separate pass. All consumers of a tensor write its gradient
-- under the same flag, so the assigning one never skips while another adds.
-- Returns the set of tensors (producer nodes, or the input) that have one.
function plan.gradient_writes(nodes)
  local written = {}
  for i = #nodes, 1, -1 do
    local node = nodes[i]
    node.dx_assign = {}
    for k, p in ipairs(node.inputs) do
      node.dx_assign[k] = not written[p]
      written[p] = true
    end
  end
  return written
end

function plan.run(nodes, loss, settings)
  plan.strategies(nodes)
  local layout = plan.memory(nodes, loss, settings)
  layout.gradient_written = plan.gradient_writes(nodes)
  return layout
end

return plan
