-- Static scratch memory of the inference export: every value (a step's output,
-- the normalized input, a step's temps such as a convolution's padded copy) gets an offset in one
-- float arena, first fit among the values alive at the same time. A value
-- lives from the step that writes it to the last step that reads it, so a
-- step's inputs and output never overlap.
local memory = {}

local function place(live, size)
  table.sort(live, function(a, b) return a.off < b.off end)
  local off = 0
  for _, v in ipairs(live) do
    if v.off - off >= size then break end
    off = math.max(off, v.off + v.size)
  end
  return off
end

-- Sets value.off for the input, every step's out and temps; returns the arena size.
function memory.run(steps, input, output)
  local last = { [input] = 0, [output] = #steps + 1 }
  for i, step in ipairs(steps) do
    for _, v in ipairs(step.ins) do last[v] = math.max(last[v] or 0, i) end
    for _, t in ipairs(step.temps or {}) do last[t] = i end
  end
  local live, total = {}, 0
  local function alloc(v, at)
    local keep = {}
    for _, u in ipairs(live) do
      if last[u] >= at then keep[#keep + 1] = u end
    end
    live = keep
    v.off = place(live, v.size)
    live[#live + 1] = v
    total = math.max(total, v.off + v.size)
  end
  alloc(input, 0)
  for i, step in ipairs(steps) do
    for _, t in ipairs(step.temps or {}) do alloc(t, i) end
    last[step.out] = last[step.out] or i
    alloc(step.out, i)
  end
  return total
end

return memory
