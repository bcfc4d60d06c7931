-- A 1-D convolutional network that reads each Fashion-MNIST image as a
-- sequence of 28 rows, each row a step with 28 features.
return network{
  name = "conv1d_seq", input = { 1, 28, 28 }, batch = 64,
  rows_as_sequence{},                                   -- 28 features x 28 steps
  conv1d{ 64, k = 3, pad = "same" }, relu{}, maxpool1d{ 2 },
  conv1d{ 128, k = 3, pad = "same" }, relu{}, maxpool1d{ 2 },
  flatten{},
  linear{ 64 }, relu{},
  linear{ 10 },
  loss = softmax_cross_entropy{},
}
