-- expect: tests/spec_errors/residual_bad_shortcut.lua:3: residual block: the shortcut gives 4x8x8 but the body gives 8x8x8
return network{ input = { 4, 8, 8 },
  residual{ name = "block", conv2d{ 8, k = 3, pad = 1 }, shortcut = conv2d{ 4, k = 1 } },
  flatten{}, loss = mse{} }
