#!/usr/bin/python3
"""torchvision models through the ONNX importer and back to PyTorch.

  roundtrip_tv.py export MODEL DIR
      torchvision's MODEL (resnet18, resnet50) with random weights and random
      BatchNorm statistics, exported by torch.onnx.export at 64x64 (opset 14,
      TrainingMode.PRESERVE of the evaluation-mode model and no constant
      folding: BatchNormalization stays, with its statistics) to DIR/model.onnx;
      the weights to DIR/torch.pt. tests/tests.mk then imports the file
      (generator/onnx/import.py, which takes the input size from it),
      generates the float C and builds tests/torch/dump_model.c on it.
  roundtrip_tv.py check MODEL DIR SPEC DUMPER WEIGHTS [LUA]
      Checks that the C model holds torchvision's weights, bit for bit; runs
      the dumper with the imported weights and compares with torchvision:
        1. evaluation mode: the logits against torchvision's in float64, max
           abs difference <= 1e-4 (torch float32's own difference printed);
        2. training mode (batch statistics), one step: output, loss, input
           gradient, every parameter gradient and the running statistics
           after the step, by tests/torch/reference.py's check_dump: the C
           model (float) against torch float64, within 1e-4 relative or the
           order of torch float32's own error.
Exit status: 0 equal, 1 a mismatch (printed), 77 torch or torchvision is missing."""
import io
import json
import os
import subprocess
import sys
import tempfile
import warnings

try:
    import torch
    import torchvision
except ImportError:
    print("torch or torchvision is not installed: skipped")
    sys.exit(77)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "torch"))
import reference  # noqa: E402

SIZE = 64
LOGIT_TOLERANCE = 1e-4


def model_of(name):
    torch.manual_seed({"resnet18": 18, "resnet50": 50}[name])
    model = getattr(torchvision.models, name)()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def export(name, out):
    model = model_of(name)
    os.makedirs(out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out, "torch.pt"))
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), f, opset_version=14, do_constant_folding=False,
                          training=torch.onnx.TrainingMode.PRESERVE, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    with open(os.path.join(out, "model.onnx"), "wb") as g:
        g.write(f.getvalue())
    return 0


def torch_names(dump, state):
    """The dump's tensors under torchvision's names (projection shortcuts are
    downsample.* there, shortcut.* in the generator's paths)."""
    renamed = {}
    for name, t in dump["tensors"].items():
        theirs = name if name in state else name.replace(".shortcut.", ".downsample.")
        if theirs not in state:
            raise SystemExit(f"roundtrip_tv.py: the imported tensor {name} is not in torchvision's model")
        renamed[theirs] = t
    dump["tensors"] = renamed
    return dump


def run_dumper(dumper, weights, training, state):
    with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
        subprocess.run([dumper, tmp.name, str(training), weights], check=True)
        return torch_names(reference.read_dump(tmp.name), state)


def check_eval(name, model, dump, shape):
    x = dump["input"].reshape([dump["n"]] + shape)
    ours = dump["output"].reshape(dump["n"], -1)
    with torch.no_grad():
        ref = model.double()(x.double())
        t32 = model.float()(x)
    diff = (ours.double() - ref).abs().max().item()
    diff32 = (t32.double() - ref).abs().max().item()
    print(f"{name}: evaluation logits ({dump['n']} images, {SIZE}x{SIZE}) vs torchvision float64: max abs difference "
          f"{diff:.2e} (limit {LOGIT_TOLERANCE:g}; torch float32: {diff32:.2e})")
    return [] if diff <= LOGIT_TOLERANCE else [f"evaluation logits differ by {diff:.3g}"]


def check_weights(name, dump, state):
    """The imported weights, as the C model holds them, are torchvision's."""
    changed = [k for k, (before, _, _) in dump["tensors"].items() if not torch.equal(before, state[k].reshape(-1))]
    print(f"{name}: {len(dump['tensors'])} imported tensors, {len(changed)} differ from torchvision's")
    return [f"imported tensors differ: {', '.join(changed[:5])}"] if changed else []


def check(name, out, spec_path, dumper, weights, lua):
    model = getattr(torchvision.models, name)()
    model.load_state_dict(torch.load(os.path.join(out, "torch.pt")))
    model.eval()
    state = model.state_dict()
    spec = json.loads(subprocess.run([lua, os.path.join(ROOT, "generator", "main.lua"), spec_path, "--layers"],
                                     check=True, capture_output=True, text=True).stdout)
    spec["name"] = name
    dump = run_dumper(dumper, weights, 0, state)
    failures = check_weights(name, dump, state) + check_eval(name, model, dump, spec["input"])
    failures += reference.check_dump(spec, model, run_dumper(dumper, weights, 1, state), spec["input"], 1)
    for f in failures:
        print(f"{name}: {f}")
    return 1 if failures else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "export":
        return export(argv[1], argv[2])
    if len(argv) >= 6 and argv[0] == "check":
        lua = argv[6] if len(argv) > 6 else "lua5.4"
        return check(argv[1], argv[2], argv[3], argv[4], argv[5], lua)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
