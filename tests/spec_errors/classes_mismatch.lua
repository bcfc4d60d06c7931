-- expect: tests/spec_errors/classes_mismatch.lua:2: network: classes = 10 but the last layer 1 gives 5 outputs
return network{ input = { 1, 8, 8 }, classes = 10,
  flatten{}, linear{ 5 }, loss = softmax_cross_entropy{} }
