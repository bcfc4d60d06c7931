-- Pools padded by more than half the window (ONNX allows it, PyTorch does not):
-- windows at the edges hold a single real element.
return network{ input = { 2, 6, 7 }, batch = 3,
  maxpool2d{ 3, stride = 1, pad = 2 },
  avgpool2d{ 3, stride = 2, pad = { 2, 1 } },
  avgpool2d{ 3, stride = 1, pad = 2, count_include_pad = false, ceil_mode = true },
  flatten{}, loss = mse{} }
