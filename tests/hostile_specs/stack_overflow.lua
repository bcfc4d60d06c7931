-- expect: tests/hostile_specs/stack_overflow.lua:3: stack overflow
-- endless recursion
local function f() return 1 + f() end
f()
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
