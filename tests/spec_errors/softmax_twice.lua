-- expect: tests/spec_errors/softmax_twice.lua:3: layer loss (softmax_cross_entropy): the last layer 1 is a softmax, but this loss takes logits and applies it itself; remove the softmax
return network{ input = { 4 }, linear{ 2 }, softmax{},
  loss = softmax_cross_entropy{} }
