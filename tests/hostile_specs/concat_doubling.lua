-- expect: tests/hostile_specs/concat_doubling.lua: the spec needs more than 128 MiB of memory
-- a string doubled 40 times by .., between two checks of the hook
local s = "x"
for _ = 1, 40 do s = s .. s end
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
