-- maxpool1d overlapping with padding, then non-overlapping
return network{ input = { 3, 12 }, batch = 3, maxpool1d{ 3, stride = 2, pad = 1 }, maxpool1d{ 2 }, flatten{}, loss = mse{} }
