-- expect: tests/spec_errors/strategy_depthwise_grouped.lua:3: layer 0 (conv2d 3x3, groups 2): strategy "depthwise" needs groups equal to the input channels (4), got 2
return network{ input = { 4, 8, 8 },
  conv2d{ 4, k = 3, groups = 2, strategy = "depthwise" }, flatten{}, loss = mse{} }
