-- expect: tests/spec_errors/conv1d_pad_three.lua:3: layer 0 (conv1d): 'pad' must be a number or {left, right}, got a table of 3
return network{ input = { 2, 8 },
  conv1d{ 4, k = 3, pad = { 1, 0, 1 } }, flatten{}, loss = mse{} }
