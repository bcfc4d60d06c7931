-- A direct convolution that computes the 2x2 max pool after it (fuse.lua)
-- from bands of output rows: 8 channels of 41 rows 12 wide, in two bands of
-- 22 and 19 rows, so that the last band's last row is under no window; then
-- a plane 7 wide (odd: its last column is under no window) in one band.
return network{ input = { 1, 41, 12 }, batch = 2,
  conv2d{ 8, k = 3, pad = 1, strategy = "direct" }, relu{}, maxpool2d{ 2 },
  conv2d{ 3, k = { 3, 2 }, pad = 1, strategy = "direct" }, relu{}, maxpool2d{ 2 },
  flatten{}, loss = mse{} }
