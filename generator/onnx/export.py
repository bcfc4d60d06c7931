#!/usr/bin/python3
"""Exports a network's evaluation graph with a checkpoint's weights as ONNX.

usage: export.py SPEC.lua --checkpoint CKPT.safetensors --export-onnx OUT.onnx [--lua lua5.4]

The layers come from the generator (`generator/main.lua SPEC --layers`), the
weights from the checkpoint (float32, under the layers' tensor names). The
graph's input `input` is N x the spec's input shape (N dynamic) and takes what
the trainer's forward takes, i.e. inputs already normalized; its output
`output` is the last layer's (the logits, unless the spec ends in softmax{}).
BatchNorm is BatchNormalization with the running statistics, not folded;
dropout and dropblock leave no node. Opset 14, PyTorch 1.13's default.
Needs python3-onnx and python3-numpy. Exit status 0, or 1 after one line
saying what is wrong."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import onnx
    from onnx import TensorProto, checker, helper
except ImportError:
    sys.exit("export.py: needs the onnx Python package (apt-get install python3-onnx)")

import export_nodes  # noqa: E402
import export_weights  # noqa: E402

OPSET = 14


def layers_of(spec, lua):
    """The generator's layer JSON; its one-line error when the spec is bad."""
    main = os.path.join(HERE, "..", "main.lua")
    try:
        run = subprocess.run([lua, main, spec, "--layers"], capture_output=True, text=True)
    except OSError as e:
        raise SystemExit(f"export.py: cannot run {lua}: {e.strerror}")
    if run.returncode != 0:
        raise SystemExit(run.stderr.strip() or f"{spec}: the generator failed")
    return json.loads(run.stdout)


def model_of(spec, weights):
    """The ONNX model of the layer JSON `spec` with `weights`, checked."""
    g = export_nodes.build(spec["layers"], weights)
    last = spec["layers"][-1]["output"]
    graph = helper.make_graph(
        g.nodes, spec["name"],
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N"] + spec["input"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N"] + last)],
        initializer=g.initializers)
    model = helper.make_model(graph, producer_name="nncc", opset_imports=[helper.make_opsetid("", OPSET)])
    checker.check_model(model, full_check=True)
    return model


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--export-onnx", required=True, metavar="OUT")
    ap.add_argument("--lua", default="lua5.4")
    args = ap.parse_args(argv)
    spec = layers_of(args.spec, args.lua)
    try:
        weights = export_weights.for_layers(args.checkpoint, spec["layers"])
        model = model_of(spec, weights)
    except (export_weights.CheckpointError, export_nodes.ExportError) as e:
        raise SystemExit(f"{args.spec}: {e}" if isinstance(e, export_nodes.ExportError) else str(e))
    try:
        onnx.save(model, args.export_onnx)
    except OSError as e:
        raise SystemExit(f"{args.export_onnx}: {e.strerror}")
    print(f"{args.export_onnx}: {spec['name']}, {len(model.graph.node)} nodes, "
          f"{len(model.graph.initializer)} tensors, opset {OPSET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
