-- expect: tests/spec_errors/parameters_too_large.lua:4: layer 8192 (linear 65535->32768): the parameters need more than 17,592,186,044,416 values (2^44, 128 TiB of doubles: all the memory x86-64 can address)
-- 8,200 linear layers of nearly 2^31 weights each: every tensor fits an int index, all of them not the machine
local net = { input = { 65535 }, loss = mse{} }
for i = 1, 8200 do net[i] = linear{ i % 2 == 1 and 32768 or 65535, bias = false } end
return network(net)
