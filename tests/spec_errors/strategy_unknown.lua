-- expect: tests/spec_errors/strategy_unknown.lua:3: layer 0 (conv2d 3x3): 'strategy' must be one of auto, gemm-1x1, im2col-gemm, direct, winograd-2x2, winograd-4x4, depthwise, got fft
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 3, strategy = "fft" }, flatten{}, loss = mse{} }
