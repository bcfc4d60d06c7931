-- Dilated convolutions on "im2col-gemm": 3x3 dilation 2 with "same" padding
-- (2 each side), per-axis dilation with a stride, dilation with groups, and a
-- dilated conv1d; output sizes floor((H + 2p - d (k - 1) - 1) / s) + 1.
return network{ input = { 3, 9, 11 }, batch = 3,
  conv2d{ 4, k = 3, dilation = 2, pad = "same" },
  conv2d{ 4, k = { 2, 3 }, dilation = { 3, 2 }, stride = { 1, 2 }, pad = { 1, 0 } },
  conv2d{ 6, k = 3, dilation = 2, groups = 2, pad = 1 },
  flatten{}, loss = mse{} }
