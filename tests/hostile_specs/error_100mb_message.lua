-- expect: tests/hostile_specs/error_100mb_message.lua: the spec needs more than 128 MiB of memory
-- an error of 100 MB: the spec may not build it
error(string.rep("x", 100000000))
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
