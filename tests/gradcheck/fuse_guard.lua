-- A batchnorm output read by a relu and by an add: the relu must not be fused
-- into the batchnorm (its other reader needs the values before the relu),
-- while the relu after the add is fused.
return network{ input = { 2, 5, 5 }, batch = 3,
  conv2d{ 3, k = 3, pad = 1, name = "conv" }, batchnorm{ name = "bn" },
  add{ relu{}, seq{}, name = "sum" }, relu{},
  global_avgpool{}, linear{ 2 },
  loss = softmax_cross_entropy{} }
