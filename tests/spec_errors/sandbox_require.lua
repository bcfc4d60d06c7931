-- expect: tests/spec_errors/sandbox_require.lua:2: unknown name 'require'
local posix = require("os")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
