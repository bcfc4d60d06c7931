-- expect: tests/hostile_specs/lr_mult_nan.lua:3: network: lr_mult["fc.*"] must be a finite number >= 0, got 
-- lr_mult of NaN
return network{ input = { 4 }, lr_mult = { ["fc.*"] = 0/0 }, linear{ 2, name = "fc" }, loss = mse{} }
