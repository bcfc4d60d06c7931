-- Register tiles of the direct convolution kernels: one cost model and one
-- search, shared by the forward and input-gradient kernels (conv_direct.lua),
-- the weight gradient's (conv_direct_weights.lua), the pooled forward's
-- (conv_direct_pooled.lua) and the scattered backward's (conv_direct_scatter.lua).
--
-- A tile keeps its sums in vector registers (at most a width's
-- `accumulators`). At each step it loads or broadcasts `loads` vectors and
-- does `fmas` fused multiply-adds; the cores here issue two of each per
-- cycle, so a step takes max(fmas, loads) half-cycles. A kernel's cost is
-- its steps' cost times the tiles it runs, counting the work that partial
-- tiles waste.
local tiles = {}

function tiles.step(fmas, loads)
  return math.max(fmas, loads)
end

-- The candidate of least cost; among equal costs, the one with the larger
-- prefer(candidate) (a tile with more accumulators reads its stream less often).
function tiles.best(candidates, cost, prefer)
  local best, best_cost
  for _, candidate in ipairs(candidates) do
    local c = cost(candidate)
    if best == nil or c < best_cost or (c == best_cost and prefer(candidate) > prefer(best)) then
      best, best_cost = candidate, c
    end
  end
  return best, best_cost
end

-- The largest of `sizes` (in any order) that fits(size), or `fallback`.
function tiles.largest(sizes, fits, fallback)
  local largest
  for _, size in ipairs(sizes) do
    if fits(size) and (largest == nil or size > largest) then largest = size end
  end
  return largest or fallback
end

-- 1, 2, ..., n.
function tiles.upto(n)
  local list = {}
  for i = 1, n do list[i] = i end
  return list
end

return tiles
