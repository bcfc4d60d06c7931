-- expect: tests/spec_errors/strategy_direct_long_rows.lua:3: layer 0 (conv1d k3, pad 1): strategy "direct" needs rows of at most 16384 values
return network{ input = { 1, 20000 },
  conv1d{ 4, k = 3, pad = 1, strategy = "direct" }, flatten{}, loss = mse{} }
