-- expect: tests/hostile_specs/name_NN_upper.lua:3: network: name 'NN_MODEL' clashes with the runtime's names, which start with nn_ and NN_ (nn_model, ...)
-- NN_MODEL_H is the runtime's header guard
return network{ name = "NN_MODEL", input = { 4 }, linear{ 2 }, loss = mse{} }
