-- Grouped convolutions on the "im2col-gemm" strategy, one GEMM per group: 2 groups
-- with stride, padding and a fused relu, 3 groups of 2 channels each into 2 per
-- group with a 2x3 kernel, a 1x1 in 2 groups (not "gemm-1x1").
return network{ input = { 4, 7, 8 }, batch = 3,
  conv2d{ 6, k = 3, groups = 2, pad = 1, stride = { 2, 1 } }, relu{},
  conv2d{ 6, k = { 2, 3 }, groups = 3, bias = false },
  conv2d{ 4, k = 1, groups = 2 },
  flatten{}, loss = mse{} }
