-- expect: tests/hostile_specs/freeze_map.lua:3: network: freeze must be a list of tensor-name patterns like { "layer1.*" }, without holes
-- a freeze map, not a list
return network{ input = { 4 }, freeze = { fc = true }, linear{ 2, name = "fc" }, loss = mse{} }
