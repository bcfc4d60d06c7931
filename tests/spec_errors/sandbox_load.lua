-- expect: tests/spec_errors/sandbox_load.lua:2: unknown name 'load'
local f = load("return 1")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
