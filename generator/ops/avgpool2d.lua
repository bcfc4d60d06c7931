-- avgpool2d{k, stride = k, pad = 0, ceil_mode = false, count_include_pad = true}: divides by the
-- whole window, padding included, unless count_include_pad is false (pool_core.lua).
return require("ops.pool_core").op2d("avg", "avgpool2d")
