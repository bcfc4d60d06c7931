-- A max pool that applies the mask of the relu fused into the layer before it
-- (fuse.lua), whose backward then passes dy unmasked: after a direct
-- convolution (2x2 windows tiling the plane), an im2col one (overlapping
-- windows), a Winograd one (an odd plane: a row and a column under no window),
-- a batch norm (a padded pool) and an add.
return network{ input = { 2, 12, 12 }, batch = 2,
  conv2d{ 4, k = 3, pad = 1 }, relu{}, maxpool2d{ 2 },
  conv2d{ 4, k = 3, pad = 1, strategy = "im2col-gemm" }, relu{}, maxpool2d{ 2, stride = 1 },
  conv2d{ 3, k = 3, pad = 1, strategy = "winograd-2x2" }, relu{}, maxpool2d{ 2 },
  batchnorm{}, relu{}, maxpool2d{ 3, stride = 1, pad = 1 },
  add{ conv2d{ 3, k = 1 }, seq{} }, relu{}, maxpool2d{ 2 },
  flatten{}, linear{ 3 },
  loss = softmax_cross_entropy{} }
