-- expect: tests/hostile_specs/string_pack.lua:3: string.pack is not available in a spec (it has string.byte, string.char, string.format, string.len, string.lower, string.rep, string.reverse, string.sub, string.upper)
-- string.pack of 2 GB in one call
local _ = string.pack("c2000000000", "")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
