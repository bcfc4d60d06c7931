#!/usr/bin/python3
"""Reference values for tests/test_distill.c (PyTorch 1.13): the distillation
loss (1 - a) * CE(y, softmax(zs)) + a * T^2 * CE(softmax(zt / T), softmax(zs / T)),
batch mean, and its gradient with respect to the student's logits zs."""
import torch

torch.set_printoptions(precision=12)
zs = torch.tensor([[1.0, -0.5, 2.0, 0.25], [0.3, 0.1, -1.2, 0.8], [-2.0, 1.5, 0.0, 0.5]], dtype=torch.float64,
                  requires_grad=True)
zt = torch.tensor([[2.0, 0.5, 1.0, -1.0], [-0.4, 0.9, 0.2, 1.1], [0.0, 3.0, -1.0, 0.7]], dtype=torch.float64)
y = torch.tensor([2, 3, 1])
alpha, temp = 0.7, 3.0
hard = torch.nn.functional.cross_entropy(zs, y)
soft = -(torch.softmax(zt / temp, 1) * torch.log_softmax(zs / temp, 1)).sum(1).mean()
loss = (1 - alpha) * hard + alpha * temp * temp * soft
loss.backward()
print("loss %.12f" % loss.item())
print("grad", ", ".join("%.12f" % v for v in zs.grad.flatten().tolist()))
