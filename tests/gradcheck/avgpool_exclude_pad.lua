-- count_include_pad = false: the windows at the border divide by the real
-- elements they cover; padded overlapping, non-square with per-axis padding.
return network{ input = { 2, 7, 8 }, batch = 3,
  avgpool2d{ 3, stride = 1, pad = 1, count_include_pad = false },
  avgpool2d{ k = { 2, 3 }, stride = { 2, 1 }, pad = { 1, 1 }, count_include_pad = false },
  flatten{}, loss = mse{} }
