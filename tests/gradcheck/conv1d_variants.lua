-- conv1d: strided with padding, 1x1, and "same" with an even kernel
return network{ input = { 3, 11 }, batch = 3,
  conv1d{ 4, k = 3, stride = 2, pad = 1 }, conv1d{ 3, k = 1 }, conv1d{ 2, k = 4, pad = "same" },
  flatten{}, loss = mse{} }
