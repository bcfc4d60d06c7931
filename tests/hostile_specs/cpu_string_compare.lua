-- expect: tests/hostile_specs/cpu_string_compare.lua: the spec runs too long (more than 2 s of CPU time)
-- comparisons of two 16 MiB strings: few instructions, much CPU
local a, b = string.rep("x", 1 << 24), string.rep("x", 1 << 24)
local n = 0
for _ = 1, 1000000000 do if a <= b then n = n + 1 end end
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
