-- a whole small MLP
return network{ input = { 1, 4, 4 }, batch = 3,
  flatten{}, linear{ 10 }, relu{}, linear{ 6 }, sigmoid{}, linear{ 4 },
  loss = softmax_cross_entropy{} }
