-- Fusion of memory-bound layers into the layer before them, after the summary
-- and the layer list are taken (they keep showing the spec's layers):
-- a relu whose input is a batchnorm, an add or a convolution read by nothing
-- else becomes part of that layer. The fused layer writes max(y, 0) into its own slot and,
-- going back, lets the gradient through where its output is positive; the
-- relu's activation slot and its two passes over memory disappear.
local fuse = {}

local INTO = { batchnorm = true, add = true, conv2d = true, conv1d = true }

-- Returns the nodes without the fused relus, their consumers (and the loss)
-- reading the fused producer instead.
function fuse.relus(nodes, loss)
  local readers = {}
  for _, node in ipairs(nodes) do
    for _, p in ipairs(node.inputs) do readers[p] = (readers[p] or 0) + 1 end
  end
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
  return kept
end

return fuse
