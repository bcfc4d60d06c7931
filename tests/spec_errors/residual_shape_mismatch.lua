-- expect: tests/spec_errors/residual_shape_mismatch.lua:3: residual layer1.0: the body gives 8x4x4 but the input is 4x8x8; an identity shortcut needs equal shapes (use shortcut = "project" or give a shortcut)
return network{ input = { 4, 8, 8 },
  seq{ name = "layer1", residual{ conv2d{ 8, k = 3, stride = 2, pad = 1 }, relu{} } },
  flatten{}, loss = mse{} }
