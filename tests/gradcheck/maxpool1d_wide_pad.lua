-- A 1-D max pool padded by more than half its window, with ceil_mode.
return network{ input = { 2, 9 }, batch = 3,
  maxpool1d{ 3, stride = 2, pad = 2, ceil_mode = true },
  maxpool1d{ 2, stride = 1, pad = 1 },
  flatten{}, loss = mse{} }
