-- Fusion of memory-bound layers into the layer before them, after the summary
-- and the layer list are taken (they keep showing the spec's layers):
-- a relu whose input is a batchnorm, an add or a convolution read by nothing
-- else becomes part of that layer. The fused layer writes max(y, 0) into its own slot and,
-- going back, lets the gradient through where its output is positive; the
-- relu's activation slot and its two passes over memory disappear.
--
-- When a max pool is the fused layer's only reader, the pool's backward applies
-- the relu's mask instead (node.pool_masks_relu): the gradient reaches only the
-- window's maximum, and the relu passed it there exactly when the pool's output
-- is positive. The fused layer's backward then no longer reads its output y
-- (the pool reads its own, a quarter of that after a 2x2 pool).
--
-- A direct convolution with such a pool after it, 2x2 with stride 2, also
-- computes the pool's forward (node.pools_into): it pools each band of output
-- rows while the band is in L1, and its own output is never written or read.
-- It takes the pool's backward too (node.unpools): dy is rebuilt from the
-- pool's output gradient where it is read (in place by a stem's weight
-- gradient, transposed for the others', padded for the input gradient), and
-- never written either.
local pool = require("ops.pool_core")

local fuse = {}

local MAX_POOLS = { maxpool2d = true, maxpool1d = true }

local INTO = { batchnorm = true, add = true, conv2d = true, conv1d = true }

-- How many nodes read each node.
local function count_readers(nodes)
  local readers = {}
  for _, node in ipairs(nodes) do
    for _, p in ipairs(node.inputs) do readers[p] = (readers[p] or 0) + 1 end
  end
  return readers
end

-- Returns the nodes without the fused relus, their consumers (and the loss)
-- reading the fused producer instead, and marks the layers whose relu's mask
-- the max pool after them applies.
function fuse.relus(nodes, loss)
  local readers = count_readers(nodes)
  local replaced, kept = {}, {}
  for _, node in ipairs(nodes) do
    for i, p in ipairs(node.inputs) do node.inputs[i] = replaced[p] or p end
    local producer = node.inputs[1]
    if node.op == "relu" and #node.inputs == 1 and INTO[producer.op] and readers[producer] == 1 then
      producer.fused_relu = true
      producer.desc = producer.desc .. " + relu"
      replaced[node] = producer
    else
      kept[#kept + 1] = node
    end
  end
  loss.input = replaced[loss.input] or loss.input
  readers = count_readers(kept)
  for _, node in ipairs(kept) do
    local producer = node.inputs[1]
    if MAX_POOLS[node.op] and producer.fused_relu and readers[producer] == 1 and loss.input ~= producer then
      producer.pool_masks_relu = true
      if pool.max_2x2(node.pool) and producer.module.absorb_pool then producer.module.absorb_pool(producer, node) end
    end
  end
  return kept
end

return fuse
