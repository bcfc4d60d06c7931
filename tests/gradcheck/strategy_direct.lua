-- Every convolution forced to the "direct" strategy, on the shapes that stress
-- it: output rows of 11 (one full 8-column tile and a partial one), output
-- channels that tile by 2 and 1, even and factorized kernels, asymmetric and
-- explicit padding; no activation, so that central differences are exact.
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
