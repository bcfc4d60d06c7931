-- expect: tests/hostile_specs/input_hole.lua:3: network: input has a hole: a nil among its sizes
-- input = {1, nil, 28}
return network{ input = { 1, nil, 28 }, flatten{}, loss = mse{} }
