-- expect: tests/spec_errors/unknown_init.lua:2: layer 0 (linear 4->3): 'init' must be one of default, xavier_uniform, xavier_normal, kaiming_normal, zeros, got he
return network{ input = { 4 }, linear{ 3, init = "he" },
  loss = mse{} }
