-- expect: tests/spec_errors/bad_padding.lua:3: layer 0 (conv2d): 'pad' must be "valid", "same" or a number or {height, width}, got "full"
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 3, pad = "full" }, flatten{}, loss = mse{} }
