-- Direct convolutions whose weight gradient takes the channel form (8 or more
-- input channels) and that take the max pool after them, forward and
-- backward: one without a bias, its output channels a partial group (12 of
-- 16), on 9 rows (the last under no window); then one with a bias on 4x5,
-- whose last column is under no window and whose input gradient reaches the
-- first pool's output.
return network{ input = { 8, 9, 10 }, batch = 2,
  conv2d{ 12, k = 3, pad = 1, bias = false, strategy = "direct" }, relu{}, maxpool2d{ 2 },
  conv2d{ 5, k = 3, pad = 1, strategy = "direct" }, relu{}, maxpool2d{ 2 },
  flatten{}, loss = mse{} }
