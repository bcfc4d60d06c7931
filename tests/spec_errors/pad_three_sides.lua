-- expect: tests/spec_errors/pad_three_sides.lua:3: layer 0 (maxpool2d): 'pad' must be a number, {height, width} or {top, left, bottom, right}, got a table of 3
return network{ input = { 1, 8, 8 },
  maxpool2d{ 2, pad = { 1, 0, 1 } }, flatten{}, loss = mse{} }
