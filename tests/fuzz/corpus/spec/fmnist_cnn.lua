-- The demo network: a small CNN for 28x28 grey images (Fashion-MNIST).
-- 225,034 parameters, 2,631,040 MACs per image.
return network{
  name = "fmnist_cnn", input = { 1, 28, 28 }, batch = 64,
  conv2d{ 32, k = 3 }, relu{}, maxpool2d{ 2 },
  conv2d{ 64, k = 3 }, relu{}, maxpool2d{ 2 },
  flatten{},
  linear{ 128 }, relu{},
  linear{ 10 },
  loss = softmax_cross_entropy{},
}
