-- expect: tests/hostile_specs/conv_channels_huge.lua:3: layer 0 (conv2d): 'out channels' must be at most 9,223,372,036,854,775,807, got inf
-- conv2d{math.huge}: the channel count is no Lua integer
return network{ input = { 3, 8, 8 }, conv2d{ math.huge, k = 3 }, flatten{}, loss = mse{} }
