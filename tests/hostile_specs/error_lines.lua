-- expect: tests/hostile_specs/error_lines.lua:3: first
-- an error of three lines
error("first\nsecond\nthird")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
