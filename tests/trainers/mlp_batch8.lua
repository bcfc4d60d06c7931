-- With mlp_batch32: the same network at two batch sizes, for the gradient
-- accumulation test (--accum 4 at batch 8 must train like batch 32). No
-- BatchNorm or dropout, whose statistics and masks depend on the batch.
return network{
  name = "mlp_batch8", input = { 1, 28, 28 }, batch = 8,
  flatten{}, linear{ 32 }, tanh{}, linear{ 10 },
  loss = softmax_cross_entropy{},
}
