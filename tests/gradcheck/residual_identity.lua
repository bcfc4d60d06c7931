-- residual block with an identity shortcut (fan-out of the block input)
return network{ input = { 3, 5, 5 }, batch = 3,
  residual{ conv2d{ 3, k = 3, pad = 1, name = "conv1" }, tanh{}, conv2d{ 3, k = 3, pad = 1, name = "conv2" },
    shortcut = "identity", after = relu{} },
  flatten{}, loss = mse{} }
