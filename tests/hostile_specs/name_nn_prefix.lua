-- expect: tests/hostile_specs/name_nn_prefix.lua:3: network: name 'nn_train_setup' clashes with the runtime's names, which start with nn_ and NN_ (nn_model, ...)
-- nn_train_setup_model is the runtime's
return network{ name = "nn_train_setup", input = { 4 }, linear{ 2 }, loss = mse{} }
