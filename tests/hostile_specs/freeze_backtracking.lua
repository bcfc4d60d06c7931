-- expect: tests/hostile_specs/freeze_backtracking.lua:3: network: freeze pattern '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab' matches no trainable tensor (names look like 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.weight')
-- a glob that a Lua pattern would backtrack on for hours
return network{ input = { 4 }, freeze = { string.rep("*a", 30) .. "b" },
  linear{ 2, name = string.rep("a", 64) }, loss = mse{} }
