-- expect: tests/hostile_specs/window_unrolled.lua:3: layer 0 (maxpool2d 64x64): the 64x64 window has more than 1,024 values, the most nncc unrolls (larger C takes gcc too long to compile)
-- a 64x64 pooling window, which the C unrolls
return network{ input = { 1, 64, 64 }, maxpool2d{ 64 }, flatten{}, loss = mse{} }
