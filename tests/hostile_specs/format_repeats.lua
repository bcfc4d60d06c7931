-- expect: tests/hostile_specs/format_repeats.lua: the spec needs more than 128 MiB of memory
-- string.format joining one 20 MB string 8 times: 160 MB from one call
local s = string.rep("x", 20000000)
local _ = string.format("%s%s%s%s%s%s%s%s", s, s, s, s, s, s, s, s)
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
