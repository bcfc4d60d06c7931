-- expect: tests/spec_errors/conv_workspace_too_large.lua:4: layer 0 (conv2d 3x3): the workspace needs 2,411,202,816 values per image, more than 2,147,483,647 (the generated C indexes them with int)
-- im2col's columns: 576 rows of 2046x2046 positions per image
return network{ input = { 64, 2048, 2048 }, batch = 1,
  conv2d{ 1, k = 3, strategy = "im2col-gemm" }, flatten{}, loss = mse{} }
