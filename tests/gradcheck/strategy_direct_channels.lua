-- Direct convolutions whose weight gradient takes the channel form (8 or more
-- input channels): output channels that fill no whole group (20 of 32, 8 of
-- 16), planes of 35 positions (not a multiple of the 8-position transpose
-- blocks), a fused relu masking the transposed output gradient, and a 1x3
-- kernel whose tile takes the taps of one row.
return network{ input = { 8, 7, 5 }, batch = 3,
  conv2d{ 20, k = 3, pad = 1, strategy = "direct" }, relu{},
  conv2d{ 8, k = { 1, 3 }, pad = { 0, 1 }, strategy = "direct" },
  flatten{}, loss = mse{} }
