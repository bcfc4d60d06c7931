-- conv1d through the direct strategy (a conv1d is a conv2d of height 1):
-- "same" padding, a wide kernel, and 19 positions (two full tiles and a part).
return network{ input = { 2, 19 }, batch = 3,
  conv1d{ 4, k = 3, pad = "same", strategy = "direct" },
  conv1d{ 3, k = 7, pad = 3, strategy = "direct" },
  flatten{}, loss = mse{} }
