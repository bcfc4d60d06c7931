-- expect: tests/spec_errors/conv_positions_past_blas.lua:4: layer 0 (conv2d 1x1): the batch's output positions, 1,073,741,824 per image at batch 2, are more than BLAS's int arguments hold (2,147,483,647)
-- every tensor fits an int index, but the GEMM over the batch has 2^31 columns
return network{ input = { 1, 32768, 32768 }, batch = 2,
  conv2d{ 1, k = 1 }, flatten{}, loss = mse{} }
