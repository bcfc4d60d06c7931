-- Every op the inference export supports, in the places where its lowering
-- differs: batchnorm folded into a convolution and a linear layer, and alone
-- after a concat and after an activation; activations fused and alone;
-- padded, strided and non-square convolutions; max and average pools with
-- padding; a concat, a residual with a projection; dropout and dropblock;
-- softmax as a hidden layer. tests/test_infer.c trains it briefly, exports it and
-- compares the library with the trainer's --predict.
return network{
  name = "all_ops", input = { 1, 28, 28 }, batch = 16,
  conv2d{ 8, k = 3, pad = 1, bias = false }, batchnorm{}, leaky_relu{ 0.1 },
  concat{
    seq{ conv2d{ 4, k = 1 }, elu{} },
    seq{ avgpool2d{ 3, stride = 1, pad = 1 }, conv2d{ 4, k = { 3, 1 }, pad = "same" }, tanh{} },
  },
  batchnorm{},
  maxpool2d{ 3, stride = 2, pad = 1 },
  dropblock{ 0.1, block = 3 },
  residual{ conv2d{ 12, k = 3, stride = 2, pad = 1 }, sigmoid{}, shortcut = "project", after = relu{} },
  avgpool2d{ 2 },
  flatten{},
  linear{ 32 }, batchnorm{}, relu{}, dropout{ 0.2 },
  linear{ 16 }, tanh{}, batchnorm{}, softmax{},
  linear{ 10 },
  loss = softmax_cross_entropy{},
}
