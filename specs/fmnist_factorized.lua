-- fmnist_cnn with every 3x3 convolution factorized into a 3x1 then a 1x3
-- convolution (as in Inception v3), with the same output shapes. Here the
-- 3x1 already widens to the output channels, so the 1x3 sees them all and the
-- network costs more MACs than fmnist_cnn; a narrower 3x1 would cost less.
local function conv3x3_factorized(channels)
  return seq{ conv2d{ channels, k = { 3, 1 } }, conv2d{ channels, k = { 1, 3 } } }
end

return network{
  name = "fmnist_factorized", input = { 1, 28, 28 }, batch = 64,
  conv3x3_factorized(32), relu{}, maxpool2d{ 2 },
  conv3x3_factorized(64), relu{}, maxpool2d{ 2 },
  flatten{},
  linear{ 128 }, relu{},
  linear{ 10 },
  loss = softmax_cross_entropy{},
}
