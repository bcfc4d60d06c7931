"""Prints the expected values of tests/test_batchnorm.c: PyTorch's BatchNorm2d(2)
after one training-mode forward pass over the input below, from running_mean 0
and running_var 1 (momentum 0.1, unbiased variance for the running update).
Run: /usr/bin/python3 tests/torch/batchnorm_reference.py"""
import torch

torch.set_default_dtype(torch.float64)
x = torch.tensor([[[[1.0, 2.0, 4.0]], [[-1.0, 0.5, 3.0]]],
                  [[[0.0, -2.0, 7.0]], [[2.0, 2.5, -0.5]]]])
bn = torch.nn.BatchNorm2d(2)
y = bn(x)
print("running_mean", [f"{v:.12g}" for v in bn.running_mean.tolist()])
print("running_var", [f"{v:.12g}" for v in bn.running_var.tolist()])
print("y[0][0]", [f"{v:.12g}" for v in y[0, 0, 0].tolist()])
