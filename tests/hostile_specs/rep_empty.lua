-- expect: tests/hostile_specs/rep_empty.lua: the spec needs more than 128 MiB of memory
-- string.rep of an empty string 2^63 times: an empty result, from a C loop of 2^63 turns
local _ = string.rep("", math.maxinteger)
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
