-- expect: tests/hostile_specs/conv_stride_past_integers.lua:3: layer 0 (conv2d): 'stride' must be at most 2,147,483,647 (the generated C uses int), got 9.2233720368548e+18
-- a stride of 2^63, a float no Lua integer holds
return network{ input = { 3, 8, 8 }, conv2d{ 4, k = 3, stride = 2^63 }, flatten{}, loss = mse{} }
