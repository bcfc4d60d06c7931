-- expect: tests/hostile_specs/concat_branch_cycle.lua:4: concat 0 contains itself (as 0.1.0)
-- a concat whose branch holds the concat
local branches = { relu{} }
local mixed = concat(branches)
branches[2] = seq{ mixed }
return network{ input = { 3, 8, 8 }, mixed, flatten{}, loss = mse{} }
