-- regression_mlp under the absolute error (L1), which outliers in the
-- training targets pull far less than the squared error.
return network{
  name = "regression_mlp_l1", input = { 8 }, batch = 32,
  linear{ 64 }, relu{},
  linear{ 64 }, relu{},
  linear{ 1 },
  loss = l1{},
}
