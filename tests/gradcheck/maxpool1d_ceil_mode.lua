-- maxpool1d with ceil_mode: a last window past the end (10 -> 5 with k 3, stride 2,
-- not 4), and PyTorch's rule that drops a last window starting in the padding
-- (5 -> 3 with k 2, stride 2, pad 1, not 4).
return network{ input = { 3, 10 }, batch = 3,
  maxpool1d{ 3, stride = 2, ceil_mode = true }, maxpool1d{ 2, stride = 2, pad = 1, ceil_mode = true },
  flatten{}, loss = mse{} }
