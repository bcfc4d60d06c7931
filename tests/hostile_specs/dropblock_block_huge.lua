-- expect: tests/hostile_specs/dropblock_block_huge.lua:3: layer 0 (dropblock): 'block' must be at most 2,147,483,647 (the generated C uses int), got 9.2233720368548e+18
-- a DropBlock block of 2^63
return network{ input = { 3, 8, 8 }, dropblock{ block = 2^63 }, flatten{}, loss = mse{} }
