-- expect: tests/hostile_specs/shared_seq_doubling.lua:3: layer 0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.1.1.1.0.0.0.1.0.0.0.0 (relu): the network has more than 10,000 layers, the most nncc generates C for (larger C takes gcc too long to compile)
-- a seq holding the last one twice, 60 times over: 2^60 layers
local layer = relu{}
for _ = 1, 60 do layer = seq{ layer, layer } end
return network{ input = { 3, 8, 8 }, layer, flatten{}, loss = mse{} }
