-- expect: tests/spec_errors/strategy_direct_grouped.lua:3: layer 0 (conv2d 3x3, groups 4): strategy "direct" takes no groups, dilation or padding given per side (these take "im2col-gemm" or "depthwise")
return network{ input = { 4, 8, 8 },
  conv2d{ 4, k = 3, groups = 4, strategy = "direct" }, flatten{}, loss = mse{} }
