-- expect: tests/hostile_specs/pattern_match_method.lua:3: string.match is not available in a spec (it has string.byte, string.char, string.format, string.len, string.lower, string.rep, string.reverse, string.sub, string.upper)
-- a pattern through a string method, which bypasses the spec's string table
local _ = ("a"):rep(40):match("(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)b")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
