-- A direct convolution that takes the 2x2 max pool after it and scatters its
-- windows' gradients (ops/conv_direct_scatter.lua) with a 5x5 kernel: 25 taps,
-- more than a register tile holds, so the tiles take one kernel row each.
return network{ input = { 16, 6, 5 }, batch = 2,
  conv2d{ 2, k = 5, pad = 2, strategy = "direct" }, relu{}, maxpool2d{ 2 },
  flatten{}, loss = mse{} }
