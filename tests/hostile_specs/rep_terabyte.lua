-- expect: tests/hostile_specs/rep_terabyte.lua: the spec needs more than 128 MiB of memory
-- a string of a tebibyte in one call
local _ = ("x"):rep(1 << 40)
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
