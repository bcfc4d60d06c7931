-- expect: tests/hostile_specs/input_key.lua:3: network: input must be a list of sizes, got the key name
-- an input with a key
return network{ input = { 4, name = "x" }, linear{ 2 }, loss = mse{} }
