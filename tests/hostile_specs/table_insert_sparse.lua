-- expect: tests/hostile_specs/table_insert_sparse.lua: the spec needs more than 128 MiB of memory
-- a table whose length, 2^62, is a border of a sparse table: table.insert would shift 2^62 slots in C
local t = {}
for i = 62, 0, -1 do t[1 << i] = true end
table.insert(t, 1, false)
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
