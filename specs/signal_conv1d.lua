-- A 1-D convolutional network over multi-channel signals: 7 channels of 500
-- steps (e.g. sensor readings), 5 classes.
return network{
  name = "signal_conv1d", input = { 7, 500 }, batch = 32,
  conv1d{ 16, k = 3 }, relu{}, maxpool1d{ 2 },
  conv1d{ 32, k = 5 }, relu{}, maxpool1d{ 2 },
  conv1d{ 64, k = 5 }, relu{}, maxpool1d{ 2 },
  flatten{},
  linear{ 128 }, relu{},
  linear{ 5 },
  loss = softmax_cross_entropy{},
}
