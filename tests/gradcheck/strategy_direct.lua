-- Every convolution forced to the "direct" strategy, on the shapes that stress
-- it: rows of 11 and 9, so that the 16-lane vectors cross row ends, output
-- channels that tile by 2 and 1, even and factorized kernels (a 5x5 one, too
-- many taps for one weight-gradient tile), asymmetric and explicit padding;
-- no activation, so that central differences are exact.
-- strategy_direct.lua and strategy_im2col.lua hold the same layers, so both
-- strategies face the same gradient checks and the same PyTorch comparison.
return network{ input = { 3, 9, 11 }, batch = 3,
  conv2d{ 6, k = 3, pad = "same", strategy = "direct" },
  conv2d{ 5, k = { 1, 3 }, pad = { 0, 1 }, strategy = "direct" },
  conv2d{ 4, k = { 3, 1 }, pad = { 1, 0 }, strategy = "direct" },
  conv2d{ 8, k = 1, bias = false, strategy = "direct" },
  conv2d{ 3, k = 5, pad = 2, strategy = "direct" },
  conv2d{ 2, k = 2, pad = "same", strategy = "direct" },
  conv2d{ 2, k = 2, strategy = "direct" },
  flatten{}, loss = mse{} }
