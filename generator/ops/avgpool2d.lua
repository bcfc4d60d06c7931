-- avgpool2d{k, stride = k, pad = 0}: divides by the whole window, padding included.
return require("ops.pool_core").op2d("avg", "avgpool2d")
