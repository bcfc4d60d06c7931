#!/usr/bin/python3
"""torchvision's resnet18 and resnet50 (random weights and BatchNorm
statistics, evaluation mode) exported twice, at 224x224: by torch.onnx.export
(opset 14, TrainingMode.PRESERVE and do_constant_folding=False, which keep
BatchNormalization unfolded) and by generator/onnx/export.py from
specs/resnet18_imagenet.lua and specs/resnet50_imagenet.lua with the same
weights (their tensor names are torchvision's). Checks that
  1. the node lists agree: same op types in the same order, same attributes
     (defaults made explicit), once torch's Identity nodes are left out (they
     only alias initializers torch found equal);
  2. both graphs, run by tests/onnx/export_eval.py in float64, give
     torchvision's logits (relative error <= 1e-9).
usage: export_tv_nodes.py MODEL [--lua lua5.4]
Exit status: 0 equal, 1 a difference (printed), 77 torch or torchvision is missing."""
import argparse
import difflib
import io
import os
import sys
import tempfile
import warnings

try:
    import torch
    import torchvision
except ImportError:
    print("torch or torchvision is not installed: skipped")
    sys.exit(77)
import onnx
from onnx import helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_check  # noqa: E402
import export_eval  # noqa: E402

SIZE = 224
DEFAULTS = {"training_mode": 0, "alpha": 1.0, "beta": 1.0, "transA": 0, "group": 1, "ceil_mode": 0}


def random_model(name):
    torch.manual_seed(3)
    model = getattr(torchvision.models, name)()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def torch_export(model):
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), f, opset_version=14, do_constant_folding=False,
                          training=torch.onnx.TrainingMode.PRESERVE, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    return onnx.load_from_string(f.getvalue())


def signature(node):
    """op type and attributes, those at their default value left out."""
    attrs = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        if isinstance(v, float):
            v = round(v, 6)
        if DEFAULTS.get(a.name) != v and not (a.name == "dilations" and set(v) == {1}):
            attrs[a.name] = v
    return node.op_type + "".join(f" {k}={attrs[k]}" for k in sorted(attrs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["resnet18", "resnet50"])
    ap.add_argument("--lua", default="lua5.4")
    args = ap.parse_args()
    model = random_model(args.model)
    theirs = torch_export(model)
    state = {k: v for k, v in model.state_dict().items() if v.is_floating_point()}
    spec = os.path.join(HERE, "..", "..", "specs", f"{args.model}_imagenet.lua")
    with tempfile.TemporaryDirectory() as work:
        ours = export_check.export(spec, args.lua, state, work)
    a = [signature(n) for n in theirs.graph.node if n.op_type != "Identity"]
    b = [signature(n) for n in ours.graph.node]
    failures = []
    diff = list(difflib.unified_diff(a, b, "torch.onnx.export", "export.py", n=1, lineterm=""))
    print(f"{args.model} node lists: torch {len(a)} nodes (+{len(theirs.graph.node) - len(a)} Identity), "
          f"ours {len(b)}: " + ("identical op types and attributes" if not diff else "DIFFER"))
    if diff:
        print("\n".join(diff))
        failures.append("node lists differ")
    x = torch.randn(1, 3, SIZE, SIZE, dtype=torch.float64)
    with torch.no_grad():
        ref = model.double()(x)
    for name, m in (("torch.onnx.export", theirs), ("export.py", ours)):
        err = (export_eval.run(m, x) - ref).norm().item() / ref.norm().item()
        print(f"{args.model}: {name}'s graph vs torchvision's logits, float64: relative error {err:.2e}")
        if not err <= 1e-9:
            failures.append(f"{name}: logits differ")
    for f in failures:
        print(f"export_tv_nodes: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
