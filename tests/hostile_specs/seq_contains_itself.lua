-- expect: tests/hostile_specs/seq_contains_itself.lua:4: seq 0 contains itself (as 0.1)
-- a seq whose layer list holds the seq
local layers = { relu{} }
local block = seq(layers)
layers[2] = block
return network{ input = { 3, 8, 8 }, block, flatten{}, loss = mse{} }
