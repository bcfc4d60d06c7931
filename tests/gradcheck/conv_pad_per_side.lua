-- Padding given per side, {top, left, bottom, right} as ONNX's pads (SAME_UPPER on
-- even kernels): a 2x2 padded after, a strided 3x3 padded 1 before and 0 after,
-- a depthwise one padded unevenly.
return network{ input = { 3, 7, 8 }, batch = 3,
  conv2d{ 4, k = 2, pad = { 0, 0, 1, 1 } },
  conv2d{ 4, k = 3, stride = 2, pad = { 1, 0, 0, 1 } },
  conv2d{ 4, k = 3, groups = 4, pad = { 2, 1, 0, 2 } },
  flatten{}, loss = mse{} }
