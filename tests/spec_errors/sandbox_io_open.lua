-- expect: tests/spec_errors/sandbox_io_open.lua:2: unknown name 'io'
local f = io.open("/etc/passwd")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
