#!/usr/bin/python3
"""A trainer's own checkpoint through the ONNX export: tests/trainers/cifar_small
(conv, BN, residual with projection, DropBlock, global pool, linear) trained
for two epochs on synthetic CIFAR-10 files (optimizer state and metadata in the
file, BatchNorm statistics away from 0 and 1), exported by
generator/onnx/export.py; the graph, run node by node in torch on the test
file normalized with the checkpoint's mean/std, gives the trainer's --predict
class probabilities within 1e-4 (max abs; the CSV has 6 decimals).
usage: export_trained.py TRAINER WORK_DIR [--lua lua5.4]
Exit status: 0 equal, 1 a mismatch (printed), 77 torch is not installed."""
import argparse
import os
import subprocess
import sys

try:
    import torch
except ImportError:
    print("torch is not installed: skipped")
    sys.exit(77)
import onnx

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path[:0] = [os.path.join(ROOT, "tests", "onnx"), os.path.join(ROOT, "runtime")]
import export_eval  # noqa: E402
from convert_torch import read_safetensors  # noqa: E402

TOLERANCE = 1e-4


def train(trainer, work):
    data, run, csv = os.path.join(work, "data"), os.path.join(work, "run"), os.path.join(work, "pred.csv")
    quiet = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "make_cifar10.py"), data, "--train", "96",
                    "--test", "64"], **quiet)
    subprocess.run([trainer, "--data", data, "--epochs", "2", "--val-split", "0", "--optimizer", "sgd", "--lr", "0.05",
                    "--momentum", "0.9", "--save", run], **quiet)
    ckpt = os.path.join(run, "last.safetensors")
    subprocess.run([trainer, "--data", data, "--predict", ckpt, "--out", csv], **quiet)
    return data, ckpt, csv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trainer")
    ap.add_argument("work")
    ap.add_argument("--lua", default="lua5.4")
    args = ap.parse_args()
    data, ckpt, csv = train(args.trainer, args.work)
    out = os.path.join(args.work, "model.onnx")
    subprocess.run([sys.executable, os.path.join(ROOT, "generator", "onnx", "export.py"),
                    os.path.join(ROOT, "tests", "trainers", "cifar_small.lua"), "--checkpoint", ckpt,
                    "--export-onnx", out, "--lua", args.lua], check=True, stdout=subprocess.DEVNULL)
    tensors, meta = read_safetensors(ckpt)
    mean = torch.tensor([float(v) for v in meta["mean"].split(",")]).view(1, 3, 1, 1)
    std = torch.tensor([float(v) for v in meta["std"].split(",")]).view(1, 3, 1, 1)
    raw = open(os.path.join(data, "test_batch.bin"), "rb").read()
    n = len(raw) // 3073
    records = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(n, 3073)
    x = (records[:, 1:].to(torch.float32).view(n, 3, 32, 32) / 255.0 - mean) / std
    probabilities = torch.softmax(export_eval.run(onnx.load(out), x, torch.float64), 1)
    rows = [line.split(",") for line in open(csv).read().splitlines()[1:]]
    ours = torch.tensor([[float(v) for v in r[4:]] for r in rows], dtype=torch.float64)
    var = max(t.sub(1).abs().max().item() for k, t in tensors.items() if k.endswith("running_var"))
    if ours.shape != probabilities.shape:
        print(f"FAIL: the predictions CSV has shape {tuple(ours.shape)}, "
              f"the ONNX graph gives {tuple(probabilities.shape)}")
        return 1
    diff = (ours - probabilities).abs().max().item()
    print(f"cifar_small, trained 2 epochs (running_var up to {var:.2f} from 1): ONNX class probabilities on {n} images "
          f"vs the trainer's --predict: max abs difference {diff:.2e} (limit {TOLERANCE:g})")
    return 0 if diff <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
