-- expect: tests/spec_errors/strategy_winograd_5x5.lua:3: layer 0 (conv2d 5x5): strategy "winograd-4x4" needs a 3x3 kernel
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 5, strategy = "winograd-4x4" }, flatten{}, loss = mse{} }
