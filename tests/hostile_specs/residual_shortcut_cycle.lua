-- expect: tests/hostile_specs/residual_shortcut_cycle.lua:4: residual 0 contains itself (as 0.shortcut.0)
-- a residual whose shortcut holds the residual
local args = { relu{} }
local block = residual(args)
args.shortcut = seq{ block }
return network{ input = { 3, 8, 8 }, block, flatten{}, loss = mse{} }
