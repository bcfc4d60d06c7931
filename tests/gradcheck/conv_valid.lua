-- conv2d 3x3, valid padding, two input channels, non-square input
return network{ input = { 2, 7, 6 }, batch = 3, conv2d{ 3, k = 3 }, flatten{}, loss = mse{} }
