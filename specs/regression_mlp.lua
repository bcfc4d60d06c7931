-- A regression network over 8 tabular features (a CSV's columns) to one
-- real-valued target, under the squared error (L2). regression_mlp_l1 is the
-- same network under the absolute error.
return network{
  name = "regression_mlp", input = { 8 }, batch = 32,
  linear{ 64 }, relu{},
  linear{ 64 }, relu{},
  linear{ 1 },
  loss = mse{},
}
