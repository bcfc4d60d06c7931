-- Direct convolutions whose planes are computed in several bands of rows (at
-- most 4096 values of a tile's channels per band): the first layer's output,
-- 8 channels of 41 rows 12 wide, in two bands of 21 and 20 rows; the second
-- layer's input gradient, the same planes from its 8 input channels.
return network{ input = { 1, 41, 12 }, batch = 3,
  conv2d{ 8, k = 3, pad = 1, strategy = "direct" },
  conv2d{ 2, k = 3, pad = 1, strategy = "direct" },
  flatten{}, loss = mse{} }
