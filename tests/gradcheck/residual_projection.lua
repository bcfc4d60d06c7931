-- residual block whose shape changes: 1x1 strided projection + BN shortcut
return network{ input = { 2, 6, 6 }, batch = 3,
  residual{ conv2d{ 4, k = 3, stride = 2, pad = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" },
    shortcut = "project" },
  flatten{}, loss = mse{} }
