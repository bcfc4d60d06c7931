-- expect: tests/hostile_specs/name_network_too_long.lua:3: network: name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' is longer than 64 characters
-- a network name of 65 characters
return network{ name = string.rep("n", 65), input = { 4 }, linear{ 2 }, loss = mse{} }
