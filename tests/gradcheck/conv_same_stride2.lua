-- conv2d 3x3, "same" padding with stride 2 (asymmetric padding)
return network{ input = { 2, 7, 8 }, batch = 3, conv2d{ 3, k = 3, stride = 2, pad = "same" }, flatten{}, loss = mse{} }
