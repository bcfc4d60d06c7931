#!/usr/bin/python3
"""The PyTorch side of tests/test_transfer.c (the transfer-learning assignment).

  transfer_reference.py standin OUT.pt CIFAR_DIR
      torchvision's resnet50 with random weights (seeded) and the BatchNorm
      statistics of CIFAR_DIR's training images (resized to 224x224),
      standing in for a pretrained one: its state_dict, saved with torch.save.
  transfer_reference.py frozen BEFORE AFTER
      Every weight (not running statistics) of AFTER but fc.* equals BEFORE's
      bit for bit, and fc.weight and fc.bias are in AFTER with 10 classes.
  transfer_reference.py changed BEFORE AFTER [PREFIX]
      Every weight of AFTER (whose name begins with PREFIX) differs from BEFORE's.
  transfer_reference.py predict CKPT CIFAR_DIR PRED.csv
      The probabilities the trainer wrote (--predict with --resize 224) equal
      those of torchvision's resnet50(num_classes=10) loaded with CKPT, on the
      test batch resized by PIL (bilinear) and normalized with CKPT's mean/std.

Exit status: 0 as claimed, 1 not (printed), 77 torch or torchvision missing.
"""
import csv
import os
import sys

try:
    import numpy as np
    import torch
    import torchvision
    from PIL import Image
except ImportError:
    print("torch, torchvision or PIL is not installed: skipped")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "runtime"))
from convert_torch import read_safetensors  # noqa: E402


def weights(path):
    tensors, meta = read_safetensors(path)
    return {k: v for k, v in tensors.items() if not k.startswith("optimizer.") and not k.endswith(("running_mean",
            "running_var"))}, meta


IMAGENET_MEAN, IMAGENET_STD = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])


def standin(out, data_dir):
    torch.manual_seed(0)
    net = torchvision.models.resnet50()
    net.train()  # BatchNorm statistics of the training images, so that logits stay moderate
    with torch.no_grad():
        net(cifar_images(os.path.join(data_dir, "data_batch_1.bin"), IMAGENET_MEAN, IMAGENET_STD))
    torch.save(net.state_dict(), out)
    return []


def frozen(before, after):
    a, _ = weights(before)
    b, _ = weights(after)
    fails = [f"{n}: changed" for n in sorted(b) if not n.startswith("fc.") and not torch.equal(a[n], b[n])]
    if tuple(b["fc.weight"].shape) != (10, 2048) or tuple(b["fc.bias"].shape) != (10,):
        fails.append(f"fc: shapes {tuple(b['fc.weight'].shape)}, {tuple(b['fc.bias'].shape)}")
    print(f"{after}: {len(b) - 2} weights as in {before}" if not fails else "")
    return fails


def changed(before, after, prefix=""):
    a, _ = weights(before)
    b, _ = weights(after)
    names = [n for n in sorted(b) if n.startswith(prefix)]
    fails = [f"{n}: unchanged" for n in names if torch.equal(a[n], b[n])]
    print(f"{after}: all {len(names)} weights {prefix + '* ' if prefix else ''}changed" if names and not fails else "")
    return fails if names else [f"{after}: no weight {prefix}*"]


def cifar_images(path, mean, std):
    """A CIFAR-10 batch file's images, resized to 224x224 by PIL and normalized."""
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
    images = []
    for r in raw:
        img = Image.fromarray(r[1:].reshape(3, 32, 32).transpose(1, 2, 0)).resize((224, 224), Image.BILINEAR)
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
        images.append((x - mean[:, None, None]) / std[:, None, None])
    return torch.stack(images)


def predict(ckpt, data_dir, pred_csv):
    tensors, meta = read_safetensors(ckpt)
    net = torchvision.models.resnet50(num_classes=10)
    state = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    for k in [k for k in state if k.endswith("running_var")]:
        state[k[:-len("running_var")] + "num_batches_tracked"] = torch.tensor(0)
    net.load_state_dict(state)
    net.eval()
    mean = torch.tensor([float(v) for v in meta["mean"].split(",")])
    std = torch.tensor([float(v) for v in meta["std"].split(",")])
    with torch.no_grad():
        theirs = torch.softmax(net(cifar_images(os.path.join(data_dir, "test_batch.bin"), mean, std)), dim=1)
    with open(pred_csv) as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0] if c.startswith("probability_")] if rows else []
    ours = torch.tensor([[float(r[c]) for c in columns] for r in rows])
    worst = float((ours - theirs).abs().max())
    print(f"{pred_csv}: {len(rows)} records, probabilities within {worst:.2g} of torchvision's")
    return [] if len(rows) == len(theirs) and worst < 2e-4 else [f"{pred_csv}: differs from torchvision by {worst}"]


def main():
    commands = {"standin": standin, "frozen": frozen, "changed": changed, "predict": predict}
    fails = commands[sys.argv[1]](*sys.argv[2:])
    for f in fails:
        print(f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
