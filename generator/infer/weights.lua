-- The exported weights: tensors (already folded, in double) laid end to end
-- and rounded once to float, written as a C initializer of hex-float
-- literals (exact) or as a blob that NAME_load_weights reads: "NNCCINF1", the
-- count (u32 little-endian), 1.0f (catches a host of the other byte order),
-- then the floats, little-endian.
local weights = {}

weights.MAGIC = "NNCCINF1"

function weights.new()
  return { parts = {}, count = 0 }
end

-- Appends a tensor (a list of numbers); returns its offset.
function weights.add(set, label, values)
  local off = set.count
  set.parts[#set.parts + 1] = { label = label, values = values, off = off }
  set.count = set.count + #values
  return off
end

local function packed(values, first, last)
  local out = {}
  for i = first, last, 256 do
    local j = math.min(i + 255, last)
    out[#out + 1] = string.pack("<" .. ("f"):rep(j - i + 1), table.unpack(values, i, j))
  end
  return table.concat(out)
end

-- The C initializer's lines: each tensor headed by a comment.
function weights.initializer(set)
  local lines = {}
  for _, part in ipairs(set.parts) do
    lines[#lines + 1] = string.format("    /* %s: [%d, %d) */", part.label, part.off, part.off + #part.values)
    local bytes = packed(part.values, 1, #part.values)
    for i = 1, #part.values, 6 do
      local items = {}
      for k = i, math.min(i + 5, #part.values) do
        items[#items + 1] = string.format("%af", (string.unpack("<f", bytes, 4 * k - 3)))
      end
      lines[#lines + 1] = "    " .. table.concat(items, ", ") .. ","
    end
  end
  return table.concat(lines, "\n")
end

function weights.blob(set)
  local out = { weights.MAGIC, string.pack("<I4f", set.count, 1.0) }
  for _, part in ipairs(set.parts) do out[#out + 1] = packed(part.values, 1, #part.values) end
  return table.concat(out)
end

return weights
