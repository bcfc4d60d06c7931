-- A multilayer perceptron for Fashion-MNIST with about as many parameters as
-- fmnist_cnn (226,602 vs 225,034), for comparison.
return network{
  name = "fmnist_mlp", input = { 1, 28, 28 }, batch = 64,
  flatten{},
  linear{ 256 }, relu{},
  linear{ 96 }, relu{},
  linear{ 10 },
  loss = softmax_cross_entropy{},
}
