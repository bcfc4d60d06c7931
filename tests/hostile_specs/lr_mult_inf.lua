-- expect: tests/hostile_specs/lr_mult_inf.lua:3: network: lr_mult["fc.*"] must be a finite number >= 0, got inf
-- lr_mult of inf
return network{ input = { 4 }, lr_mult = { ["fc.*"] = math.huge }, linear{ 2, name = "fc" }, loss = mse{} }
