-- expect: tests/hostile_specs/freeze_hole.lua:3: network: freeze must be a list of tensor-name patterns like { "layer1.*" }, without holes
-- a freeze list with a hole
return network{ input = { 4 }, freeze = { "fc.*", nil, "fc.bias" }, linear{ 2, name = "fc" }, loss = mse{} }
