-- Depthwise convolutions ("depthwise" strategy): a 3x3 with "same" padding and a
-- fused relu, a strided 3x3 with multiplier 2 (out = 2 x in), no bias, then relu6
-- as MobileNet's, a 3x2 dilated one with explicit padding, and one forced onto
-- "im2col-gemm" for the same kind of layer.
return network{ input = { 3, 9, 10 }, batch = 3,
  conv2d{ 3, k = 3, groups = 3, pad = "same" }, relu{},
  conv2d{ 6, k = 3, groups = 3, stride = 2, pad = 1, bias = false }, relu6{},
  conv2d{ 6, k = { 3, 2 }, groups = 6, dilation = { 1, 2 }, pad = { 1, 1 } },
  conv2d{ 12, k = 3, groups = 6, pad = 1, strategy = "im2col-gemm" },
  flatten{}, loss = mse{} }
