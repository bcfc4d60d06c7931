-- average pooling: padded overlapping, non-square, plain 2x2
return network{ input = { 2, 9, 11 }, batch = 3,
  avgpool2d{ 3, stride = 2, pad = 1 }, avgpool2d{ k = { 2, 3 }, stride = { 1, 2 } }, avgpool2d{ 2 },
  flatten{}, loss = mse{} }
