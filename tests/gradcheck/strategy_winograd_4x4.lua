-- Every convolution forced to "winograd-4x4", F(4x4, 3x3), on the shapes that
-- stress its tiling: output sizes that are not multiples of 4 (last tiles
-- partly outside), no padding, "same", asymmetric and wider padding, no bias,
-- a fused relu, and a 2x2 output (one tile per image, mostly outside).
return network{ input = { 3, 9, 11 }, batch = 3,
  conv2d{ 6, k = 3, pad = "same", strategy = "winograd-4x4" },
  conv2d{ 5, k = 3, strategy = "winograd-4x4" }, relu{},
  conv2d{ 4, k = 3, pad = { 2, 1 }, bias = false, strategy = "winograd-4x4" },
  conv2d{ 3, k = 3, pad = 2, strategy = "winograd-4x4" },
  maxpool2d{ 4 },
  conv2d{ 2, k = 3, pad = 1, strategy = "winograd-4x4" },
  flatten{}, loss = mse{} }
