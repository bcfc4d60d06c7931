-- conv2d 5x5 with padding 2
return network{ input = { 2, 6, 6 }, batch = 3, conv2d{ 2, k = 5, pad = 2 }, flatten{}, loss = mse{} }
