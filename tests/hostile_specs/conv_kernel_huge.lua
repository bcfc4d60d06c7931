-- expect: tests/hostile_specs/conv_kernel_huge.lua:3: layer 0 (conv2d): 'k' must be at most 2,147,483,647 (the generated C uses int), got inf
-- a kernel of math.huge
return network{ input = { 3, 8, 8 }, conv2d{ 4, k = math.huge }, flatten{}, loss = mse{} }
