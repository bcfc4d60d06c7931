-- expect: tests/hostile_specs/classes_inf.lua:3: network: classes must be a positive integer, got inf
-- classes = math.huge
return network{ input = { 4 }, classes = math.huge, linear{ 2 }, loss = softmax_cross_entropy{} }
