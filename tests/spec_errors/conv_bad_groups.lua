-- expect: tests/spec_errors/conv_bad_groups.lua:3: layer 0 (conv2d): groups 3 must divide the input channels 6 and the output channels 4
return network{ input = { 6, 8, 8 },
  conv2d{ 4, k = 3, groups = 3 }, flatten{}, loss = mse{} }
