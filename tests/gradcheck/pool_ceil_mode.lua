-- ceil_mode, each pool with a last window that only ceil_mode makes: the max over
-- 8 rows with a 3-wide window and stride 2 (4 rows, not 3); the average of windows
-- clipped to the padded input (4 -> 3, not 2), then of the real elements only
-- (3 -> 2 columns, not 1).
return network{ input = { 2, 8, 9 }, batch = 3,
  maxpool2d{ 3, stride = 2, ceil_mode = true },
  avgpool2d{ 3, stride = 2, pad = 1, ceil_mode = true },
  avgpool2d{ k = { 3, 2 }, stride = 2, pad = { 1, 0 }, ceil_mode = true, count_include_pad = false },
  flatten{}, loss = mse{} }
