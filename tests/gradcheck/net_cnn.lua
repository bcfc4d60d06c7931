-- a whole small CNN: conv, relu, max pool, conv, relu, avg pool, dense layers, cross entropy
return network{ input = { 2, 10, 9 }, batch = 3,
  conv2d{ 4, k = 3, pad = 1 }, relu{}, maxpool2d{ 2 },
  conv2d{ 5, k = 3 }, relu{}, avgpool2d{ 2, stride = 1 },
  flatten{}, linear{ 8 }, tanh{}, linear{ 4 },
  loss = softmax_cross_entropy{} }
