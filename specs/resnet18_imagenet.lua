-- ResNet-18 for 224x224 RGB images, as torchvision's resnet18: 7x7/2 stem,
-- 3x3/2 max pool, four stages of two BasicBlocks (64/128/256/512 channels,
-- strides 1/2/2/2), 1x1 projection shortcuts named `downsample` where the
-- shape changes, global average pool, `fc`. Parameter names are
-- torchvision's state_dict keys, so `runtime/convert_torch.py from-torch`
-- loads its weights directly.
-- Another number of classes: copy this file to specs/NAME.lua with CLASSES
-- changed (the network takes its name from the file).
local CLASSES = 1000

local function basic_block(channels, stride, project)
  return residual{
    conv2d{ channels, k = 3, stride = stride, pad = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
    conv2d{ channels, k = 3, pad = 1, bias = false, name = "conv2" }, batchnorm{ name = "bn2" },
    shortcut = project and seq{
      conv2d{ channels, k = 1, stride = stride, bias = false }, batchnorm{}, name = "downsample",
    } or "identity",
    after = relu{},
  }
end

local function stage(name, channels, blocks, stride)
  local layers = { name = name }
  for i = 1, blocks do layers[i] = basic_block(channels, i == 1 and stride or 1, i == 1 and stride ~= 1) end
  return seq(layers)
end

return network{
  input = { 3, 224, 224 }, batch = 16, classes = CLASSES,
  conv2d{ 64, k = 7, stride = 2, pad = 3, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
  maxpool2d{ 3, stride = 2, pad = 1, name = "maxpool" },
  stage("layer1", 64, 2, 1), stage("layer2", 128, 2, 2), stage("layer3", 256, 2, 2), stage("layer4", 512, 2, 2),
  global_avgpool{}, linear{ CLASSES, name = "fc" },
  loss = softmax_cross_entropy{},
}
