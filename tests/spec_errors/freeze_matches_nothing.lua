-- expect: tests/spec_errors/freeze_matches_nothing.lua:2: network: freeze pattern 'features.*' matches no trainable tensor (names look like 'conv.weight')
return network{ input = { 1, 8, 8 }, freeze = { "features.*" },
  conv2d{ 2, k = 3, name = "conv" }, flatten{}, linear{ 3 }, loss = softmax_cross_entropy{} }
