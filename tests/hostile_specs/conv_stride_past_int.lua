-- expect: tests/hostile_specs/conv_stride_past_int.lua:3: layer 0 (conv2d): 'stride' must be at most 2,147,483,647 (the generated C uses int), got 9223372036854775807
-- a stride that wraps the C's int
return network{ input = { 3, 8, 8 }, conv2d{ 4, k = 3, stride = math.maxinteger }, flatten{}, loss = mse{} }
