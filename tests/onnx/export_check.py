#!/usr/bin/python3
"""Checks generator/onnx/export.py on one spec.

usage: export_check.py SPEC.lua --dumper DUMPER [--lua lua5.4]

  1. the C model's evaluation forward (tests/torch/dump_model.c, training 0)
     with its initial weights, written as a checkpoint and exported: the ONNX
     file passes onnx.checker (full_check) and strict shape inference, which
     gives the spec's output shape; run node by node in torch
     (tests/onnx/export_eval.py) on the dump's input, it gives the C model's
     output within reference.py's rule (relative error <= 1e-4 or ten times
     torch float32's own);
  2. random weights and BatchNorm statistics (the dump's are 0 and 1) loaded
     into reference.py's torch network of the spec and exported: the ONNX
     graph in float64 gives that network's evaluation output, relative
     error <= 1e-7 (ONNX's float attributes are float32);
  3. that file imported back (generator/onnx/import.py): the imported spec's
     layers (--layers: op, path, output shape, parameters, every conv, pool,
     BN and linear attribute) are the spec's, dropout aside, and the imported
     weights are the exported ones bit for bit. The generator makes the same
     C of the same layers, so this closes the loop without compiling again.
     Specs with layers the importer does not read (rows_as_sequence, add of
     more than two) are said so and not imported.
Exit status: 0 equal, 1 a mismatch (printed), 77 torch is not installed."""
import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile

try:
    import torch
except ImportError:
    print("torch is not installed: skipped")
    sys.exit(77)
import onnx

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path[:0] = [os.path.join(ROOT, "tests", "torch"), os.path.join(ROOT, "tests", "onnx"),
                os.path.join(ROOT, "runtime"), os.path.join(ROOT, "generator", "onnx")]
import export_eval  # noqa: E402
import reference  # noqa: E402
from convert_torch import read_safetensors, write_safetensors  # noqa: E402
import export as onnx_export  # noqa: E402  generator/onnx/export.py, run in this process

# ONNX keeps float attributes (slopes, alphas, epsilons) in float32.
EXACT = 1e-7


def export(spec_path, lua, tensors, work):
    """The ONNX model export.py writes for `tensors`, checked and shape-inferred."""
    ckpt, out = os.path.join(work, "ckpt.safetensors"), os.path.join(work, "model.onnx")
    write_safetensors(ckpt, tensors, {"spec": "export_check"})
    with contextlib.redirect_stdout(io.StringIO()):
        onnx_export.main([spec_path, "--checkpoint", ckpt, "--export-onnx", out, "--lua", lua])
    model = onnx.load(out)
    onnx.checker.check_model(model, full_check=True)
    return onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def output_shape(model):
    dims = model.graph.output[0].type.tensor_type.shape.dim
    return [d.dim_param or d.dim_value for d in dims]


def against_c(spec, spec_path, lua, dumper, work):
    failures = []
    dump_path = os.path.join(work, "dump.bin")
    subprocess.run([dumper, dump_path, "0"], check=True)
    dump = reference.read_dump(dump_path)
    state = reference.Net(spec["layers"]).state_dict()
    tensors = {name: before.reshape(state[name].shape) for name, (before, _, _) in dump["tensors"].items()}
    model = export(spec_path, lua, tensors, work)
    if output_shape(model) != ["N"] + spec["layers"][-1]["output"]:
        failures.append(f"inferred output shape {output_shape(model)}")
    x = dump["input"].reshape([dump["n"]] + spec["input"])
    ours = dump["output"].reshape(dump["n"], -1)
    ref = export_eval.run(model, x, torch.float64).reshape(ours.shape)
    err32 = reference.rel(export_eval.run(model, x, torch.float32).reshape(ours.shape), ref)
    err = reference.rel(ours, ref)
    limit = max(reference.TOLERANCE, 10 * err32)
    print(f"{spec['name']}: ONNX ({len(model.graph.node)} nodes) vs the C model's evaluation forward: "
          f"relative error {err:.2e} (limit {limit:.2e}; ONNX in float32: {err32:.2e})")
    if not err <= limit:
        failures.append(f"evaluation output: relative error {err:.3g} > {limit:.3g}")
    return failures


def against_torch(spec, spec_path, lua, work):
    torch.manual_seed(1)
    net = reference.Net(spec["layers"]).double()
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if not t.is_floating_point():
                continue  # num_batches_tracked
            if name.endswith("running_var") or (name.endswith("weight") and t.dim() == 1):
                t.uniform_(0.5, 2.0)
            else:
                t.normal_(0.0, 0.3 if name.endswith("running_mean") or name.endswith("bias") else 0.2)
    net.eval()
    state = {k: v.float() for k, v in net.state_dict().items() if v.is_floating_point()}
    model = export(spec_path, lua, state, work)
    x = torch.randn([3] + spec["input"], dtype=torch.float64)
    with torch.no_grad():
        # the exported weights are float32: the reference gets the same rounding
        net.load_state_dict({k: v.double() for k, v in state.items()}, strict=False)
        ref = net(x)
    out = export_eval.run(model, x, torch.float64)
    err = reference.rel(out.reshape(ref.shape), ref)
    print(f"{spec['name']}: ONNX vs reference.py's torch network, random weights and BN statistics, float64: "
          f"relative error {err:.2e} (limit {EXACT:g})")
    return state, [] if err <= EXACT else [f"random weights: relative error {err:.3g} > {EXACT:g}"]


NOT_IMPORTED = {"rows_as_sequence": "rows_as_sequence", "add": "an add of more than two", "elu": "Elu"}


def comparable(layers):
    """What a layer JSON says of the network, dropout aside; a padding by its
    four sides (the importer writes numbers where the spec said "same"); a
    pool by its windows and output size."""
    out = []
    for l in layers:
        if l["op"] in ("dropout", "dropblock"):  # the identity in evaluation
            continue
        attrs = {k: l.get(k) for k in ("conv", "pool", "bn", "fc", "slope", "alpha")}
        if attrs["conv"]:
            attrs["conv"] = {k: v for k, v in attrs["conv"].items() if k not in ("pad_h", "pad_w")}
        if attrs["pool"]:  # a ceil_mode the export rewrites (export_nodes.pool) comes back as an equal pool without
            attrs["pool"] = {k: v for k, v in attrs["pool"].items() if k not in ("ceil_mode", "pb", "pr", "guard_h",
                                                                                "guard_w")}
        path = l["path"] if l["params"] else None  # a stateless layer's path is no tensor's name
        out.append((l["op"], path, l["output"], [(p["name"], p["shape"]) for p in l["params"]], attrs))
    return out


def import_back(spec, lua, state, work):
    lacking = [NOT_IMPORTED[l["op"]] for l in spec["layers"]
               if l["op"] in NOT_IMPORTED and (l["op"] != "add" or len(l["inputs"]) > 2)]
    if lacking:
        print(f"{spec['name']}: not imported back: the importer does not read {lacking[0]}")
        return []
    back_spec, back_weights = os.path.join(work, "back.lua"), os.path.join(work, "back.safetensors")
    run = subprocess.run([sys.executable, os.path.join(ROOT, "generator", "onnx", "import.py"),
                          os.path.join(work, "model.onnx"), "back", "--spec", back_spec, "--weights", back_weights,
                          "--batch", str(spec["batch"])], capture_output=True, text=True)
    if run.returncode != 0:
        return [f"imported back: the importer refused it: {run.stderr.strip()}"]
    back = layers(back_spec, lua)
    failures = []
    ours, theirs = comparable(spec["layers"]), comparable(back["layers"])
    if ours != theirs:
        first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        mine, back_layer = (x[first] if first < len(x) else None for x in (ours, theirs))
        failures.append(f"imported back: {len(theirs)} layers for {len(ours)}; first difference at layer {first}: "
                        f"{mine} vs {back_layer}")
    weights, _ = read_safetensors(back_weights)
    state = {f"{l['path']}.{p['name']}": state[f"{l['path']}.{p['name']}"] for l in spec["layers"] for p in l["params"]}
    changed = sorted(k for k in state if k not in weights or not torch.equal(weights[k], state[k]))
    if changed or len(weights) != len(state):
        failures.append(f"imported back: {len(weights)} tensors for {len(state)}, "
                        f"changed: {', '.join(changed[:5])}")
    print(f"{spec['name']}: imported back: {len(theirs)} layers and {len(weights)} tensors"
          + (" as exported" if not failures else " DIFFER"))
    return failures


def layers(spec_path, lua):
    return json.loads(subprocess.run([lua, os.path.join(ROOT, "generator", "main.lua"), spec_path, "--layers"],
                                     check=True, capture_output=True, text=True).stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--dumper", required=True)
    ap.add_argument("--lua", default="lua5.4")
    args = ap.parse_args()
    spec = layers(args.spec, args.lua)
    with tempfile.TemporaryDirectory() as work:
        failures = against_c(spec, args.spec, args.lua, args.dumper, work)
        state, torch_failures = against_torch(spec, args.spec, args.lua, work)
        failures += torch_failures + import_back(spec, args.lua, state, work)
    for f in failures:
        print(f"{args.spec}: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
