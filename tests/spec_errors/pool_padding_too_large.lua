-- expect: tests/spec_errors/pool_padding_too_large.lua:3: layer 0 (maxpool2d): padding 2 is not smaller than the window 2 along the height
return network{ input = { 1, 8, 8 },
  maxpool2d{ 2, pad = 2 }, flatten{}, loss = mse{} }
