-- expect: tests/spec_errors/runtime_error.lua:3: attempt to index a nil value (local 'widths')
local widths
local first = widths[1]
return network{ input = { 4 }, linear{ first }, loss = mse{} }
