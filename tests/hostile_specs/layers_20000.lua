-- expect: tests/hostile_specs/layers_20000.lua:4: layer 10000 (relu): the network has more than 10,000 layers, the most nncc generates C for (larger C takes gcc too long to compile)
-- 20,000 layers
local net = { input = { 4 }, loss = mse{} }
for i = 1, 20000 do net[i] = relu{} end
return network(net)
