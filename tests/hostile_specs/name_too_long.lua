-- expect: tests/hostile_specs/name_too_long.lua:3: name 'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr' is longer than 64 characters
-- a layer name of 65 characters
return network{ input = { 3, 8, 8 }, relu{ name = string.rep("r", 65) }, flatten{}, loss = mse{} }
