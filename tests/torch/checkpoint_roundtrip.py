#!/usr/bin/python3
"""A resnet18 checkpoint written by the trainer, taken to PyTorch and back:
  1. runtime/convert_torch.py to-torch, then load_state_dict(strict=True)
     into tests/torch/resnet18.py's ResNet18;
  2. its eval-mode class probabilities (softmax of the logits) on the
     CIFAR-10 test file, normalized with the checkpoint's mean/std, against
     the trainer's own (--predict CSV): max abs difference <= 1e-4;
  3. convert_torch.py from-torch back to safetensors: every weight and
     buffer bit-identical to the original.
usage: checkpoint_roundtrip.py CKPT CIFAR_DIR PREDICTIONS_CSV WORK_DIR
Exit status: 0 equal, 1 a mismatch (printed), 77 torch is not installed."""
import os
import subprocess
import sys

try:
    import torch
except ImportError:
    print("torch is not installed: skipped")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "runtime"))
from convert_torch import read_safetensors  # noqa: E402
from resnet18 import ResNet18  # noqa: E402

TOLERANCE = 1e-4


def main(ckpt, cifar_dir, predictions, work):
    converter = os.path.join(HERE, "..", "..", "runtime", "convert_torch.py")
    pt = os.path.join(work, "resnet18.pt")
    subprocess.run([sys.executable, converter, "to-torch", ckpt, pt], check=True)
    model = ResNet18()
    model.load_state_dict(torch.load(pt), strict=True)
    model.eval()

    _, meta = read_safetensors(ckpt)
    mean = torch.tensor([float(v) for v in meta["mean"].split(",")]).view(1, 3, 1, 1)
    std = torch.tensor([float(v) for v in meta["std"].split(",")]).view(1, 3, 1, 1)
    raw = open(os.path.join(cifar_dir, "test_batch.bin"), "rb").read()
    n = len(raw) // 3073
    records = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(n, 3073)
    x = (records[:, 1:].to(torch.float32).view(n, 3, 32, 32) / 255.0 - mean) / std
    with torch.no_grad():
        logits = model(x)
        probabilities = torch.softmax(logits.double(), 1).float()

    rows = [line.split(",") for line in open(predictions).read().splitlines()[1:]]
    ours = torch.tensor([[float(v) for v in r[4:]] for r in rows])  # record, label, predicted, its probability
    labels = [int(r[1]) for r in rows]
    if ours.shape != probabilities.shape or labels != records[:, 0].tolist():
        print("FAIL: the predictions CSV has shape %s, PyTorch %s" % (tuple(ours.shape), tuple(probabilities.shape)))
        return 1
    diff = (ours - probabilities).abs().max().item()
    agree = (ours.argmax(1) == logits.argmax(1)).float().mean().item()
    print("resnet18 class probabilities on %d images: max abs difference %.3g (tolerance %g), argmax agreement "
          "%.1f%%" % (n, diff, TOLERANCE, 100 * agree))
    status = 0
    if not diff <= TOLERANCE:
        print("FAIL: probabilities differ from PyTorch's")
        status = 1

    back = os.path.join(work, "back.safetensors")
    subprocess.run([sys.executable, converter, "from-torch", pt, back, "--spec", "resnet18"], check=True)
    original, _ = read_safetensors(ckpt)
    returned, _ = read_safetensors(back)
    weights = {k: v for k, v in original.items() if not k.startswith("optimizer.")}
    if sorted(weights) != sorted(returned):
        print("FAIL: the round trip changed the tensor names")
        return 1
    changed = [k for k in weights if not torch.equal(weights[k], returned[k])]
    print("round trip: %d tensors, %d changed" % (len(weights), len(changed)))
    if changed:
        print("FAIL: changed by the round trip:", ", ".join(changed[:5]))
        status = 1
    return status


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
