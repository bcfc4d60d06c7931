-- expect: tests/hostile_specs/tables_of_unpacked.lua: the spec needs more than 128 MiB of memory
-- tables of 16 KiB made by a few instructions each, with no library call that allocates them
local values, keep = {}, {}
for i = 1, 1000 do values[i] = i + 0.5 end
for i = 1, 100000 do keep[i] = { table.unpack(values) } end
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
