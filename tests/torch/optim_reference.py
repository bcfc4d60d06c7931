"""Prints the expected values of tests/test_optim.c: PyTorch optimizers on a
weight (decayed) and a bias (not decayed) with gradients g0 * (1 + t/10).
Run: /usr/bin/python3 tests/torch/optim_reference.py"""
import torch
torch.set_default_dtype(torch.float64)
w0 = [0.5, -1.25, 2.0]; b0 = [0.1, -0.3]
gw = [0.2, -0.4, 1.5]; gb = [-0.7, 0.05]
def run(make, steps):
    w = torch.tensor(w0, requires_grad=True); b = torch.tensor(b0, requires_grad=True)
    opt = make(w, b)
    out = {}
    for t in range(1, steps + 1):
        s = 1 + 0.1 * t  # gradient at step t: g0 * (1 + t/10)
        w.grad = torch.tensor(gw) * s; b.grad = torch.tensor(gb) * s
        opt.step()
        if t in (1, 2, 10):
            out[t] = [*w.tolist(), *b.tolist()]
    return out
cases = {
 "sgd": lambda w, b: torch.optim.SGD([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}], lr=0.1),
 "momentum": lambda w, b: torch.optim.SGD([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}], lr=0.1, momentum=0.9),
 "nesterov": lambda w, b: torch.optim.SGD([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}], lr=0.1, momentum=0.9, nesterov=True),
 "adam": lambda w, b: torch.optim.Adam([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}], lr=0.01, betas=(0.9, 0.999), eps=1e-8),
 "adamw": lambda w, b: torch.optim.AdamW([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}], lr=0.01, betas=(0.9, 0.999), eps=1e-8),
}
for name, make in cases.items():
    out = run(make, 10)
    for t, v in out.items():
        print(f"    {{ \"{name}\", {t}, {{ " + ", ".join(f"{x:.12g}" for x in v) + " } },")
