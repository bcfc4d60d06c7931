-- expect: tests/hostile_specs/layer_as_arguments.lua:3: conv2d expects a table of arguments, got relu{...}: write conv2d{...}
-- a layer given as another's arguments
return network{ input = { 3, 8, 8 }, conv2d(relu{}), flatten{}, loss = mse{} }
