#!/usr/bin/python3
"""Checks that a spec's tensors are torchvision's state_dict, name for name.

  torchvision_names.py SPEC.lua MODEL [--lua lua5.4]

Lists the spec's parameters and buffers (`generator/main.lua SPEC --layers`)
and compares them with torchvision.models.MODEL().state_dict(): the same
names, each with the same shape, and buffers (BatchNorm running statistics)
where torchvision has them. num_batches_tracked is left out, as
runtime/convert_torch.py drops it. Exit status: 0 equal, 1 a difference
(printed), 77 torchvision is not installed.
"""
import argparse
import json
import subprocess
import sys

try:
    import torchvision
except ImportError:
    print("torchvision is not installed: skipped")
    sys.exit(77)


def spec_tensors(spec, lua):
    text = subprocess.run([lua, "generator/main.lua", spec, "--layers"], check=True, capture_output=True,
                          text=True).stdout
    out = {}
    for layer in json.loads(text)["layers"]:
        for p in layer["params"] or []:
            out[layer["path"] + "." + p["name"]] = (tuple(p["shape"]), p["buffer"])
    return out


def torch_tensors(model):
    net = getattr(torchvision.models, model)()
    buffers = {name for name, _ in net.named_buffers()}
    return {name: (tuple(t.shape), name in buffers) for name, t in net.state_dict().items()
            if not name.endswith(".num_batches_tracked")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("model")
    ap.add_argument("--lua", default="lua5.4")
    args = ap.parse_args()
    ours, theirs = spec_tensors(args.spec, args.lua), torch_tensors(args.model)
    failures = [f"{n}: in torchvision's {args.model} but not in the spec" for n in sorted(theirs.keys() - ours.keys())]
    failures += [f"{n}: in the spec but not in torchvision's {args.model}" for n in sorted(ours.keys() - theirs.keys())]
    for n in sorted(ours.keys() & theirs.keys()):
        if ours[n] != theirs[n]:
            failures.append(f"{n}: shape, buffer {ours[n]} in the spec, {theirs[n]} in torchvision")
    for f in failures:
        print(f"{args.spec}: {f}")
    if not failures:
        print(f"{args.spec}: {len(ours)} tensors, as torchvision's {args.model}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
