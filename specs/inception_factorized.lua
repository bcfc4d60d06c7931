-- An inception-style network for 32x32 RGB images (CIFAR-10) whose modules
-- factorize every 3x3 convolution into 3x1 then 1x3 (Inception v3's
-- "module A" with factorization): four branches concatenated along channels,
--   1x1 | 1x1 -> 3x1 -> 1x3 | 1x1 -> (3x1 -> 1x3) x 2 | 3x3 max-pool -> 1x1
-- each convolution followed by batch norm and relu.
local function conv_bn(channels, k)
  return seq{ conv2d{ channels, k = k, pad = "same", bias = false, name = "conv" }, batchnorm{ name = "bn" }, relu{} }
end

local function factorized(channels)
  return seq{ conv_bn(channels, { 3, 1 }), conv_bn(channels, { 1, 3 }) }
end

-- c1, c3, c5, cp: output channels of the four branches; r3, r5: their 1x1 reductions
local function module(name, c1, r3, c3, r5, c5, cp)
  return concat{ name = name,
    conv_bn(c1, 1),
    seq{ conv_bn(r3, 1), factorized(c3) },
    seq{ conv_bn(r5, 1), factorized(c5), factorized(c5) },
    seq{ maxpool2d{ 3, stride = 1, pad = 1 }, conv_bn(cp, 1) },
  }
end

return network{
  name = "inception_factorized", input = { 3, 32, 32 }, batch = 32, classes = 10,
  seq{ name = "stem", conv_bn(64, 3) },
  module("mixed_3a", 32, 48, 64, 16, 32, 32),      -- 160 x 32 x 32
  module("mixed_3b", 64, 64, 96, 32, 48, 48),      -- 256 x 32 x 32
  maxpool2d{ 2 },
  module("mixed_4a", 96, 64, 128, 32, 64, 64),     -- 352 x 16 x 16
  module("mixed_4b", 128, 96, 160, 48, 80, 80),    -- 448 x 16 x 16
  maxpool2d{ 2 },
  module("mixed_5a", 160, 128, 192, 64, 96, 96),   -- 544 x 8 x 8
  global_avgpool{}, linear{ 10, name = "fc" },
  loss = softmax_cross_entropy{},
}
