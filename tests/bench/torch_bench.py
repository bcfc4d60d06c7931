#!/usr/bin/python3
"""PyTorch's side of make bench: the same networks as specs/fmnist_cnn.lua and
specs/resnet18.lua, timed the same way as tests/bench/bench_model.c (a
training step: forward, cross-entropy, backward, SGD-momentum update; or an
evaluation-mode forward without autograd), on random data.
usage: torch_bench.py fmnist_cnn|resnet18 train|infer BATCH THREADS WARMUP REPEATS
prints: "seconds MEDIAN MIN MAX peak_rss_mib R" (the whole process, Python included;
exit 77 without torch)"""
import os
import resource
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("torch is not installed")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
from resnet18 import ResNet18  # noqa: E402


def fmnist_cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))


def main(name, mode, batch, threads, warmup, repeats):
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)  # as our trainers do (runtime/fpmode.h)
    torch.manual_seed(1)
    model, shape = (fmnist_cnn(), (1, 28, 28)) if name == "fmnist_cnn" else (ResNet18(), (3, 32, 32))
    x = torch.rand(batch, *shape) * 2 - 1
    y = torch.arange(batch) % 10
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    if mode == "infer":
        model.eval()
    times = []
    for r in range(warmup + repeats):
        t0 = time.perf_counter()
        if mode == "train":
            opt.zero_grad(set_to_none=False)
            loss_fn(model(x), y).backward()
            opt.step()
        else:
            with torch.no_grad():
                model(x)
        if r >= warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("seconds %.6g %.6g %.6g peak_rss_mib %.1f" % (times[len(times) // 2], times[0], times[-1], rss))


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:]))
