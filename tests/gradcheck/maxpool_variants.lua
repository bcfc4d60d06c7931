-- max pooling: non-overlapping, overlapping (3/2), padded, non-square window and stride
return network{ input = { 2, 9, 11 }, batch = 3,
  maxpool2d{ 3, stride = 2, pad = 1 }, maxpool2d{ k = { 2, 3 }, stride = { 1, 2 } }, maxpool2d{ 2 },
  flatten{}, loss = mse{} }
