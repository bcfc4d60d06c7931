-- conv1d with groups, dilation and padding per side: a depthwise one with dilation
-- 2 and "same" padding, a grouped dilated one with a stride (im2col-gemm), one
-- padded {left, right} as ONNX's pads.
return network{ input = { 4, 13 }, batch = 3,
  conv1d{ 4, k = 3, groups = 4, dilation = 2, pad = "same" },
  conv1d{ 6, k = 3, groups = 2, dilation = 3, stride = 2, pad = 1 },
  conv1d{ 3, k = 2, pad = { 0, 1 } },
  flatten{}, loss = mse{} }
