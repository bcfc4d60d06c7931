-- A convolution output read by a relu and by an add: the relu must not be
-- fused into the convolution (the add needs the values before the relu),
-- while the relu after the second convolution, its only reader, is fused.
return network{ input = { 2, 5, 5 }, batch = 3,
  conv2d{ 3, k = 3, pad = 1, name = "conv" },
  add{ relu{}, seq{}, name = "sum" },
  conv2d{ 4, k = 3, name = "conv2" }, relu{},
  flatten{}, linear{ 2 },
  loss = softmax_cross_entropy{} }
