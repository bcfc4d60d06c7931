-- expect: tests/hostile_specs/conv1d_pad_past_kernel.lua:3: layer 0 (conv1d): padding 5 is not smaller than the kernel 2 along the length
-- conv1d with a padding of 5 around a kernel of 2
return network{ input = { 2, 16 }, conv1d{ 4, k = 2, pad = 5 }, flatten{}, loss = mse{} }
