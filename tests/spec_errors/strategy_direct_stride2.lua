-- expect: tests/spec_errors/strategy_direct_stride2.lua:3: layer 0 (conv2d 3x3, stride 2): strategy "direct" needs stride 1
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 3, stride = 2, strategy = "direct" }, flatten{}, loss = mse{} }
