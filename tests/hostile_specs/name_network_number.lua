-- expect: tests/hostile_specs/name_network_number.lua:3: network: name must be a string, a C identifier, got a number
-- a number as the network's name
return network{ name = 7, input = { 4 }, linear{ 2 }, loss = mse{} }
