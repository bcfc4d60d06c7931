-- expect: tests/hostile_specs/freeze_newline.lua:3: network: freeze patterns must be strings of 1 to 256 name characters (letters, digits, '_', '.'), * and ?, got fc\010*
-- a freeze pattern with a newline, which would break the C string
return network{ input = { 4 }, freeze = { "fc\n*" }, linear{ 2, name = "fc" }, loss = mse{} }
