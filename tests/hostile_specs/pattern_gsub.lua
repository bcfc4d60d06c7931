-- expect: tests/hostile_specs/pattern_gsub.lua:3: string.gsub is not available in a spec (it has string.byte, string.char, string.format, string.len, string.lower, string.rep, string.reverse, string.sub, string.upper)
-- string.gsub
local _ = string.gsub(string.rep("a", 40), ".-.-.-.-.-.-.-.-.-b", "")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
