-- Fusion: the pass between the graph (shapes) and the plan. It folds a layer
-- into the one before it when that layer alone reads it, and records the
-- fold as data on the layer that absorbs it: node.epilogue, a list of the
-- steps its output goes through, in order, such as
-- { { op = "relu" }, { op = "maxpool2x2", pool = p } }. An absorbed layer
-- leaves the graph; its readers (and the loss) read the absorbing layer.
--
-- relu: a batchnorm, add or convolution writes max(y, 0) into its own output
-- and, going back, lets the gradient through where that output is positive;
-- the relu's activation and its two passes over memory disappear.
--
-- maxpool after a fused relu: the pool's backward applies the relu's mask
-- (the gradient reaches only a window's maximum, which the relu passed
-- exactly when the pool's output is positive), so the layer before no
-- longer reads its own output going back. A layer whose module absorbs the
-- pool (op.absorbs: the direct convolutions take a 2x2, stride-2 one) also
-- computes it: its output becomes the pool's output and argmax, and the
-- unpooled output is never stored.
local pool = require("ops.pool_core")
local util = require("ops.util")

local fuse = {}

local RELU_INTO = { batchnorm = true, add = true, conv2d = true, conv1d = true }

local MAX_POOLS = { maxpool2d = true, maxpool1d = true }

-- How many times each node's output is read, the loss included.
local function count_readers(nodes, loss)
  local readers = { [loss.input] = 1 }
  for _, node in ipairs(nodes) do
    for _, p in ipairs(node.inputs) do readers[p] = (readers[p] or 0) + 1 end
  end
  return readers
end

-- One walk over the nodes: absorbs(producer, node) decides, and records,
-- whether a node read by nothing else folds into its producer.
local function fold(nodes, loss, absorbs)
  local readers = count_readers(nodes, loss)
  local replaced, kept = {}, {}
  for _, node in ipairs(nodes) do
    for i, p in ipairs(node.inputs) do node.inputs[i] = replaced[p] or p end
    local producer = node.inputs[1]
    if #node.inputs == 1 and not producer.is_input and readers[producer] == 1 and absorbs(producer, node) then
      replaced[node] = producer
    else
      kept[#kept + 1] = node
    end
  end
  loss.input = replaced[loss.input] or loss.input
  return kept
end

local function add_epilogue(node, step, desc)
  node.epilogue = node.epilogue or {}
  node.epilogue[#node.epilogue + 1] = step
  node.desc = node.desc .. " + " .. desc
end

local function relu_into(producer, node)
  if node.op ~= "relu" or not RELU_INTO[producer.op] then return false end
  add_epilogue(producer, { op = "relu" }, "relu")
  return true
end

local function max_pool_into(producer, node)
  local relu = util.epilogue(producer, "relu")
  if not MAX_POOLS[node.op] or not relu then return false end
  relu.masked_after = true
  local step = { op = "maxpool2x2", pool = node.pool }
  if not (pool.max_2x2(node.pool) and producer.module.absorbs and producer.module.absorbs(producer, step)) then
    node.masks_relu_before = true
    return false
  end
  add_epilogue(producer, step, "maxpool 2x2")
  producer.out_shape, producer.index = node.out_shape, node.index
  return true
end

-- Returns the nodes that remain.
function fuse.run(nodes, loss)
  return fold(fold(nodes, loss, relu_into), loss, max_pool_into)
end

return fuse
