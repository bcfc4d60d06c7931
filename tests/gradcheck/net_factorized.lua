-- a whole small factorized CNN: 3x1 then 1x3 convolutions, leaky relu, global pooling
return network{ input = { 1, 8, 8 }, batch = 3,
  conv2d{ 3, k = { 3, 1 } }, conv2d{ 4, k = { 1, 3 } }, leaky_relu{}, maxpool2d{ 2 },
  conv2d{ 4, k = 1 }, sigmoid{}, global_avgpool{}, linear{ 3 },
  loss = softmax_cross_entropy{ smoothing = 0.05 } }
