-- expect: tests/spec_errors/unknown_key.lua:3: layer 0 (conv2d): unknown key 'strid' (known keys: name, k, stride, pad, bias, init, bias_init, strategy, groups, dilation)
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 3, strid = 2 }, flatten{}, loss = mse{} }
