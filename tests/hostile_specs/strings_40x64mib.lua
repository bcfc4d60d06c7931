-- expect: tests/hostile_specs/strings_40x64mib.lua: the spec needs more than 128 MiB of memory
-- 40 strings of 64 MiB
local keep = {}
for i = 1, 40 do keep[i] = string.rep("x", 64 << 20) .. i end
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
