-- expect: tests/hostile_specs/pattern_gmatch.lua:3: string.gmatch is not available in a spec (it has string.byte, string.char, string.format, string.len, string.lower, string.rep, string.reverse, string.sub, string.upper)
-- string.gmatch
for _ in ("a"):rep(40):gmatch(".-.-.-.-.-.-.-.-.-b") do end
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
