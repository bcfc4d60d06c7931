-- expect: tests/spec_errors/negative_stride.lua:3: layer 0 (conv2d): 'stride' must be an integer >= 1, got -1
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 3, stride = -1 }, flatten{}, loss = mse{} }
