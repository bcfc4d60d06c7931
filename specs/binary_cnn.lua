-- A binary classifier of 128x128 grayscale images: one output, the logit of
-- the positive class (the second class folder), trained with binary
-- cross-entropy.
return network{
  name = "binary_cnn", input = { 1, 128, 128 }, batch = 32,
  conv2d{ 32, k = 3 }, relu{}, maxpool2d{ 2 },
  conv2d{ 64, k = 3 }, relu{}, maxpool2d{ 2 },
  flatten{},
  linear{ 64 }, relu{},
  linear{ 1 },
  loss = binary_cross_entropy{},
}
