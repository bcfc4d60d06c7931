-- expect: tests/spec_errors/strategy_1x1_on_3x3.lua:3: layer 0 (conv2d 3x3): strategy "gemm-1x1" needs a 1x1 kernel, stride 1 and no padding
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 3, strategy = "gemm-1x1" }, flatten{}, loss = mse{} }
