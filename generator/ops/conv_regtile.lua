-- The register-tile writer of the direct kernels: the forward and input
-- gradient (conv_direct.lua), the weight gradient (conv_direct_weights.lua),
-- the pooled forward (conv_direct_pooled.lua) and the scattered backward
-- (conv_direct_scatter.lua). A tile is a grid of vector accumulators
-- NAME[rows][cols] that stays in registers; its code is one line per row
-- (an output channel, a tap, a pair), holding one C statement per column,
-- for the accumulators' start, each step's multiply-adds and the stores.
local regtile = {}

local function indices(n)
  if type(n) == "table" then return n end
  local list = {}
  for i = 1, n do list[i] = i - 1 end
  return list
end

-- "NAME0, NAME1, ..., NAME(n-1)".
function regtile.names(name, n)
  local names = {}
  for i = 0, n - 1 do names[#names + 1] = name .. i end
  return table.concat(names, ", ")
end

-- `vwload(&NAMEv, base + offset(v));` for each vector v (a count or a list).
function regtile.loads(name, vectors, base, offset)
  local loads = {}
  for _, v in ipairs(indices(vectors)) do
    loads[#loads + 1] = string.format("vwload(&%s%d, %s + %d);", name, v, base, offset(v))
  end
  return table.concat(loads, " ")
end

-- `vwide NAME[rows][cols];`, and `extra` declarations after it.
function regtile.declare(w, name, rows, cols, extra)
  w:line("vwide %s[%d][%d]%s;", name, rows, cols, extra or "")
end

-- One line per row r of item(r, c) over the columns c, each a count (0 to
-- n - 1) or a list of indices; around(r, text), if given, completes a line.
function regtile.rows(w, rows, cols, item, around)
  for _, r in ipairs(indices(rows)) do
    local items = {}
    for _, c in ipairs(indices(cols)) do items[#items + 1] = item(r, c) end
    local text = table.concat(items, " ")
    w:line("%s", around and around(r, text) or text)
  end
end

-- The multiply-add of accumulator NAME[r][c] with a product, as a statement.
function regtile.fma(name, r, c, product)
  return string.format("%s[%d][%d] += %s;", name, r, c, product)
end

return regtile
