-- expect: tests/spec_errors/lr_mult_negative.lua:2: network: lr_mult["conv.*"] must be a finite number >= 0, got -1
return network{ input = { 1, 8, 8 }, lr_mult = { ["conv.*"] = -1 },
  conv2d{ 2, k = 3, name = "conv" }, flatten{}, linear{ 3 }, loss = softmax_cross_entropy{} }
