-- torchvision's resnet18 (ImageNet layout: 7x7 stem with stride 2, 3x3 max pool,
-- four stages of BasicBlocks, global average pool, fc), at 64x64 to keep the
-- tests short. Tensor names are torchvision's except the projection
-- shortcuts: shortcut.0/.1 here, downsample.0/.1 there.
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
  name = "tv_resnet18", input = { 3, 64, 64 }, batch = 4, classes = 1000,
  conv2d{ 64, k = 7, stride = 2, pad = 3, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
  maxpool2d{ k = 3, stride = 2, pad = 1, name = "maxpool" },
  stage("layer1", 64, 2, 1), stage("layer2", 128, 2, 2), stage("layer3", 256, 2, 2), stage("layer4", 512, 2, 2),
  global_avgpool{ name = "avgpool" }, linear{ 1000, name = "fc" },
  loss = softmax_cross_entropy{},
}
