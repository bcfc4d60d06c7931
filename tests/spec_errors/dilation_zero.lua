-- expect: tests/spec_errors/dilation_zero.lua:3: layer 0 (conv2d): 'dilation' must be an integer >= 1, got 0
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 3, dilation = 0 }, flatten{}, loss = mse{} }
