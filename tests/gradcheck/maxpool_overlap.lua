-- overlapping max pooling without padding
return network{ input = { 2, 7, 7 }, batch = 3, maxpool2d{ 3, stride = 2 }, flatten{}, loss = mse{} }
