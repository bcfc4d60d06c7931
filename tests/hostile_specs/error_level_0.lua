-- expect: tests/hostile_specs/error_level_0.lua:3: no position
-- an error without a position
error("no position", 0)
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
