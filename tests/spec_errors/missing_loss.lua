-- expect: tests/spec_errors/missing_loss.lua:2: network: missing loss = ...; e.g. loss = softmax_cross_entropy{}
return network{ input = { 4 },
  linear{ 2 } }
