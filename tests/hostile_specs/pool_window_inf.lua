-- expect: tests/hostile_specs/pool_window_inf.lua:3: layer 0 (maxpool2d): 'k' must be at most 2,147,483,647 (the generated C uses int), got inf
-- a window of {2, inf}
return network{ input = { 3, 8, 8 }, maxpool2d{ k = { 2, math.huge } }, flatten{}, loss = mse{} }
