-- expect: tests/spec_errors/sandbox_env_os.lua:2: unknown name 'os'
local run = _ENV.os
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
