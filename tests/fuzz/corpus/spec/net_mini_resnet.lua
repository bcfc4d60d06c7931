-- a whole mini ResNet: stem conv+BN+relu, an identity and a projection block, pooling, linear
local function block(c, stride, shortcut)
  return residual{
    conv2d{ c, k = 3, stride = stride, pad = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
    conv2d{ c, k = 3, pad = 1, bias = false, name = "conv2" }, batchnorm{ name = "bn2" },
    shortcut = shortcut, after = relu{} }
end
return network{ input = { 3, 8, 8 }, batch = 4,
  conv2d{ 4, k = 3, pad = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
  seq{ name = "layer1", block(4, 1, "identity") },
  seq{ name = "layer2", block(6, 2, "project") },
  global_avgpool{}, linear{ 3, name = "linear" },
  loss = softmax_cross_entropy{} }
