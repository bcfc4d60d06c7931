-- A multi-label classifier: 4 independent labels per 32x32 grayscale image
-- (K-hot targets), one logit each, trained with binary cross-entropy.
return network{
  name = "multilabel_cnn", input = { 1, 32, 32 }, batch = 32,
  conv2d{ 16, k = 3, pad = 1 }, relu{}, maxpool2d{ 2 },
  conv2d{ 32, k = 3, pad = 1 }, relu{}, maxpool2d{ 2 },
  flatten{},
  linear{ 64 }, relu{},
  linear{ 4 },
  loss = binary_cross_entropy{},
}
