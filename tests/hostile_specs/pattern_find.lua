-- expect: tests/hostile_specs/pattern_find.lua:4: string.find is not available in a spec (it has string.byte, string.char, string.format, string.len, string.lower, string.rep, string.reverse, string.sub, string.upper)
-- string.find with a backtracking pattern
local s = string.rep("a", 40)
local _ = string.find(s, ".-.-.-.-.-.-.-.-.-.-.-.-.-.-b")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
