-- expect: tests/spec_errors/kernel_too_large.lua:4: layer features.1 (conv2d): input 4x2x2 is smaller than the kernel along the height (2 + padding 0 < 3)
return network{ input = { 1, 6, 6 },
  seq{ name = "features", conv2d{ 4, k = 5 },
    conv2d{ 8, k = 3 } }, flatten{}, loss = mse{} }
