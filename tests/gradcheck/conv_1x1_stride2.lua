-- conv2d 1x1 with stride 2: im2col path with subsampling
return network{ input = { 3, 5, 5 }, batch = 3, conv2d{ 2, k = 1, stride = 2 }, flatten{}, loss = mse{} }
