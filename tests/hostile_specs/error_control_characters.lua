-- expect: tests/hostile_specs/error_control_characters.lua:3: bell\007 escape\027[2J nul\000 end
-- an error with control characters
error("bell\7 escape\27[2J nul\0 end")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
