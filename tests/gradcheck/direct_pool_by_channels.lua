-- Direct convolutions whose forward computes the 2x2 max pool after them
-- with vectors across output channels (ops/conv_direct_pooled.lua: 8 or more
-- input channels, output channels in whole 16-lane vectors): an 11x15 output
-- pooled to 5x7 (its last row and column under no window) in several tiles of
-- windows, then one without a bias or padding whose 3x5 output is pooled to
-- 1x2.
return network{ input = { 9, 11, 15 }, batch = 2,
  conv2d{ 16, k = 3, pad = 1, strategy = "direct" }, relu{}, maxpool2d{ 2 },
  conv2d{ 32, k = 3, bias = false, strategy = "direct" }, relu{}, maxpool2d{ 2 },
  flatten{}, loss = mse{} }
