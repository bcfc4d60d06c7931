-- expect: tests/hostile_specs/input_layer.lua:3: network: input must be {channels, height, width}, {channels, length} or {features}
-- a layer as the input
return network{ input = relu{}, linear{ 2 }, loss = mse{} }
