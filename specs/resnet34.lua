-- ResNet-34 for 32x32 RGB images (CIFAR-10), as in the usual CIFAR
-- implementations: 3x3 stem without max-pool, four stages of BasicBlocks
-- (64/128/256/512 channels, strides 1/2/2/2) with 1x1 projection shortcuts
-- where the shape changes, global average pool, linear classifier.
-- Parameter names follow that implementation's state_dict (conv1.weight,
-- layer2.0.shortcut.0.weight, linear.weight, ...).
local function basic_block(channels, stride)
  return residual{
    conv2d{ channels, k = 3, stride = stride, pad = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
    conv2d{ channels, k = 3, pad = 1, bias = false, name = "conv2" }, batchnorm{ name = "bn2" },
    shortcut = "project", after = relu{},
  }
end

local function stage(name, channels, blocks, stride)
  local layers = { name = name }
  for i = 1, blocks do layers[i] = basic_block(channels, i == 1 and stride or 1) end
  return seq(layers)
end

return network{
  name = "resnet34", input = { 3, 32, 32 }, batch = 32, classes = 10,
  conv2d{ 64, k = 3, pad = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
  stage("layer1", 64, 3, 1), stage("layer2", 128, 4, 2), stage("layer3", 256, 6, 2), stage("layer4", 512, 3, 2),
  global_avgpool{}, linear{ 10, name = "linear" },
  loss = softmax_cross_entropy{},
}
