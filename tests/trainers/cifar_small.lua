-- A small residual CNN for 32x32 RGB images: the trainer that tests/test_trainer.c
-- runs on CIFAR-10 files it writes (resnet18 itself is too slow for make test).
return network{
  name = "cifar_small", input = { 3, 32, 32 }, batch = 32, classes = 10,
  conv2d{ 8, k = 3, stride = 2, pad = 1, bias = false }, batchnorm{}, relu{},
  residual{ conv2d{ 16, k = 3, stride = 2, pad = 1, bias = false, name = "conv1" }, batchnorm{ name = "bn1" }, relu{},
    conv2d{ 16, k = 3, pad = 1, bias = false, name = "conv2" }, batchnorm{ name = "bn2" },
    shortcut = "project", after = relu{} },
  dropblock{ 0.1, block = 3 },
  global_avgpool{}, linear{ 10 },
  loss = softmax_cross_entropy{},
}
