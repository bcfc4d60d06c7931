-- expect: tests/hostile_specs/table_concat_separator.lua: the spec needs more than 128 MiB of memory
-- table.concat with a separator of 1 MiB between 1000 items
local items = {}
for i = 1, 1000 do items[i] = i end
local _ = table.concat(items, string.rep("-", 1 << 20))
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
