-- expect: tests/spec_errors/no_return.lua: the spec must end with 'return network{...}'
local net = network{ input = { 4 }, linear{ 2 }, loss = mse{} }
