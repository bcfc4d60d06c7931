-- expect: tests/spec_errors/loss_as_layer.lua:3: softmax_cross_entropy is a loss; give it as network{..., loss = softmax_cross_entropy{}}
return network{ input = { 4 },
  linear{ 2 }, softmax_cross_entropy{}, loss = mse{} }
