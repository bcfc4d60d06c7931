-- expect: tests/hostile_specs/name_nn.lua:3: network: name 'nn' clashes with the runtime's names, which start with nn_ and NN_ (nn_model, ...)
-- name = "nn": nn_model is the runtime's type
return network{ name = "nn", input = { 4 }, linear{ 2 }, loss = mse{} }
