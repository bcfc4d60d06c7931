-- Every convolution forced to "winograd-2x2", F(2x2, 3x3), on the shapes that
-- stress its tiling: odd output sizes (a last tile that is half outside), no
-- padding, "same", asymmetric and wider-than-usual padding, no bias, a fused
-- relu, and a 2x2 output (a single tile per image).
return network{ input = { 3, 9, 11 }, batch = 3,
  conv2d{ 6, k = 3, pad = "same", strategy = "winograd-2x2" },
  conv2d{ 5, k = 3, strategy = "winograd-2x2" }, relu{},
  conv2d{ 4, k = 3, pad = { 2, 1 }, bias = false, strategy = "winograd-2x2" },
  conv2d{ 3, k = 3, pad = 2, strategy = "winograd-2x2" },
  maxpool2d{ 4 },
  conv2d{ 2, k = 3, pad = 1, strategy = "winograd-2x2" },
  flatten{}, loss = mse{} }
