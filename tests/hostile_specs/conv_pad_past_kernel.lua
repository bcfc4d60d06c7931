-- expect: tests/hostile_specs/conv_pad_past_kernel.lua:3: layer 0 (conv2d): padding 3 is not smaller than the kernel 3 along the height
-- a padding of 3 around a 3x3 kernel
return network{ input = { 3, 8, 8 }, conv2d{ 4, k = 3, pad = 3 }, flatten{}, loss = mse{} }
