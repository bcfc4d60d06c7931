-- expect: tests/hostile_specs/layer_named_input.lua:3: layer input (relu): its C name input clashes with the network's input (ACTS_input); rename the layer
-- a layer named input: ACTS_input is the network's input
return network{ input = { 4 }, relu{ name = "input" }, linear{ 2 }, loss = mse{} }
