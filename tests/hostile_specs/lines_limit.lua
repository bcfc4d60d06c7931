-- expect: tests/hostile_specs/lines_limit.lua:4: layer 3845 (relu): the generated C passes 100,000 lines here, the most nncc writes (larger C takes gcc too long to compile)
-- 5,000 layers: past the lines of C that compile in minutes
local net = { input = { 4 }, loss = mse{} }
for i = 1, 5000 do net[i] = relu{} end
return network(net)
