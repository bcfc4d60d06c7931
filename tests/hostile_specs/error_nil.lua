-- expect: tests/hostile_specs/error_nil.lua:4: error(nil): the spec raised an error without a message
-- error(nil)
local x = 1
if x then error(nil) end
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
