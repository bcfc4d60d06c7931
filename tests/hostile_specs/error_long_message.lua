-- expect: tests/hostile_specs/error_long_message.lua:3: long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long long... (33554476 characters in all)
-- an error of 32 MiB
error(string.rep("long ", (32 << 20) // 5))
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
