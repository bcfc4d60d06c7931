-- conv2d 9x9, "same" padding
return network{ input = { 1, 10, 9 }, batch = 2, conv2d{ 2, k = 9, pad = "same" }, flatten{}, loss = mse{} }
