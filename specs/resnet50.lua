-- ResNet-50 for 32x32 RGB images (CIFAR-10), as in the usual CIFAR
-- implementations: 3x3 stem, Bottleneck blocks 1x1 -> 3x3 (stride here) ->
-- 1x1 with expansion 4, stages of 3/4/6/3 blocks, 1x1 projection shortcuts
-- where the shape changes, global average pool, linear classifier.
local function bottleneck(planes, stride)
  return residual{
    conv2d{ planes, k = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
    conv2d{ planes, k = 3, stride = stride, pad = 1, bias = false, name = "conv2" }, batchnorm{ name = "bn2" }, relu{},
    conv2d{ 4 * planes, k = 1, bias = false, name = "conv3" }, batchnorm{ name = "bn3" },
    shortcut = "project", after = relu{},
  }
end

local function stage(name, planes, blocks, stride)
  local layers = { name = name }
  for i = 1, blocks do layers[i] = bottleneck(planes, i == 1 and stride or 1) end
  return seq(layers)
end

return network{
  name = "resnet50", input = { 3, 32, 32 }, batch = 32, classes = 10,
  conv2d{ 64, k = 3, pad = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
  stage("layer1", 64, 3, 1), stage("layer2", 128, 4, 2), stage("layer3", 256, 6, 2), stage("layer4", 512, 3, 2),
  global_avgpool{}, linear{ 10, name = "linear" },
  loss = softmax_cross_entropy{},
}
