-- Direct convolutions that take the 2x2 max pool after them and whose
-- backward scatters each window's gradient (ops/conv_direct_scatter.lua:
-- input channels in whole 16-lane vectors). A 1x3 layer on 5x7 (its last row
-- and column under no window) whose input a max pool also reads, so that one
-- of the two input gradients adds to the other; then a 3x3 one without a
-- bias on 64 channels, which takes its input channels in two register tiles.
return network{ input = { 16, 5, 7 }, batch = 2,
  concat{
    seq{ conv2d{ 48, k = { 1, 3 }, pad = { 0, 1 }, strategy = "direct" }, relu{}, maxpool2d{ 2 } },
    maxpool2d{ 2 } },
  conv2d{ 2, k = 3, pad = 1, bias = false, strategy = "direct" }, relu{}, maxpool2d{ 2 },
  flatten{}, loss = mse{} }
