-- expect: tests/hostile_specs/forged_network.lua: the spec must end with 'return network{...}'
-- a table dressed as the network
return { kind = "network", args = { input = { 4 }, linear{ 2 }, loss = mse{} }, line = 1 }
