-- expect: tests/hostile_specs/conv_pad_wraps.lua:3: layer 0 (conv2d): 'pad' must be at most 2,147,483,647 (the generated C uses int), got 9223372036854775807
-- a padding whose sum with the input wraps
return network{ input = { 3, 8, 8 }, conv2d{ 4, k = 3, pad = math.maxinteger }, flatten{}, loss = mse{} }
