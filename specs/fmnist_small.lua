-- A small student for distillation from fmnist_cnn: a two-layer perceptron
-- with a quarter of the parameters (50,890).
return network{
  name = "fmnist_small", input = { 1, 28, 28 }, batch = 64,
  flatten{},
  linear{ 64 }, relu{},
  linear{ 10 },
  loss = softmax_cross_entropy{},
}
