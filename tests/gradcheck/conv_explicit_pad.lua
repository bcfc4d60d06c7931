-- conv2d 3x5 kernel, explicit padding per axis, stride per axis, no bias
return network{ input = { 2, 6, 7 }, batch = 3,
  conv2d{ 3, k = { 3, 5 }, pad = { 1, 2 }, stride = { 2, 1 }, bias = false }, flatten{}, loss = mse{} }
