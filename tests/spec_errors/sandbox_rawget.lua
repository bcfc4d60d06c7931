-- expect: tests/spec_errors/sandbox_rawget.lua:2: unknown name 'rawget'
local g = rawget(_ENV, "_G")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
