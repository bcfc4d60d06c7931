-- Pools padded per side, {top, left, bottom, right} as ONNX's pads: a max pool
-- padded after only, an average counting the padding, one not counting it with
-- ceil_mode.
return network{ input = { 2, 7, 8 }, batch = 3,
  maxpool2d{ 2, stride = 1, pad = { 0, 0, 1, 1 } },
  avgpool2d{ 3, stride = 2, pad = { 1, 0, 0, 1 } },
  avgpool2d{ 2, stride = 2, pad = { 1, 1, 0, 0 }, ceil_mode = true, count_include_pad = false },
  flatten{}, loss = mse{} }
