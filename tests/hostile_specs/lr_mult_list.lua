-- expect: tests/hostile_specs/lr_mult_list.lua:3: network: lr_mult must map tensor-name patterns to numbers, like { ["fc.*"] = 10 }; got the key 1
-- lr_mult = {10}, a list
return network{ input = { 4 }, lr_mult = { 10 }, linear{ 2, name = "fc" }, loss = mse{} }
