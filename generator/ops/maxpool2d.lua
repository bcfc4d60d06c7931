-- maxpool2d{k, stride = k, pad = 0, ceil_mode = false}: k, stride and pad are a number or {height, width}.
return require("ops.pool_core").op2d("max", "maxpool2d")
