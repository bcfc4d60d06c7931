"""Malformed and unsupported ONNX files through generator/onnx/import.py:
each must give exit status 1, one line on stderr naming what is wrong (no
traceback), and write nothing."""
import os
import subprocess
import sys

import numpy as np
from onnx import helper, numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "generator", "onnx", "import.py")


def graph(nodes, inputs, inits=(), outputs=("y",), elem=TensorProto.FLOAT):
    ins = [helper.make_tensor_value_info(name, elem, shape) for name, shape in inputs]
    outs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs]
    inits = [numpy_helper.from_array(np.asarray(v, np.float32), name) for name, v in inits]
    return helper.make_model(helper.make_graph(nodes, "g", ins, outs, inits),
                             opset_imports=[helper.make_opsetid("", 13)])


def conv(**attrs):
    return graph([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", **attrs)], [("x", [1, 2, 5, 5])],
                 [("w", np.ones((3, 2, 3, 3)))])


# name -> (model or raw bytes, text the message must hold)
CASES = {
    "unsupported_op": (graph([helper.make_node("Erf", ["x"], ["y"], name="erf")], [("x", [1, 4])]),
                       "node 'erf' (Erf): op Erf is not supported"),
    "unknown_attribute": (conv(kernel_shape=[3, 3], foo=1), "node 'conv' (Conv): attribute 'foo' is not supported"),
    "truncated": (None, "not an ONNX model"),
    "not_onnx": (b"hello, this is text\n", "not an ONNX model"),
    "two_inputs": (graph([helper.make_node("Add", ["x", "z"], ["y"], name="add")], [("x", [1, 4]), ("z", [1, 4])]),
                   "2 data inputs ('x', 'z')"),
    "int_input": (graph([helper.make_node("Relu", ["x"], ["y"], name="r")], [("x", [1, 4])], elem=TensorProto.INT32),
                  "input 'x' is int32"),
    "weight_from_graph": (graph([helper.make_node("Relu", ["x"], ["r"], name="r"),
                                 helper.make_node("MatMul", ["x", "r"], ["y"], name="mm")], [("x", [4, 4])]),
                          "value 'x' feeds node 'r' (Relu), node 'mm' (MatMul), whose branches do not meet"),
}


def write(path, model):
    if model is None:  # a good model cut in half
        blob = conv(kernel_shape=[3, 3]).SerializeToString()
        blob = blob[:len(blob) // 2]
    else:
        blob = model if isinstance(model, bytes) else model.SerializeToString()
    with open(path, "wb") as f:
        f.write(blob)


def check(work, name, model, text):
    src = os.path.join(work, name + ".onnx")
    spec, weights = os.path.join(work, name + ".lua"), os.path.join(work, name + ".safetensors")
    write(src, model)
    r = subprocess.run([sys.executable, IMPORT, src, name, "--spec", spec, "--weights", weights],
                       capture_output=True, text=True)
    lines = r.stderr.strip().splitlines()
    if r.returncode != 1 or len(lines) != 1 or text not in lines[0]:
        return "exit %d, stderr %r (expected one line with %r)" % (r.returncode, r.stderr[-300:], text)
    if os.path.exists(spec) or os.path.exists(weights):
        return "wrote %s or %s" % (spec, weights)
    return None


def run(work):
    """TAP lines, and whether all passed."""
    os.makedirs(work, exist_ok=True)
    lines, ok = [], True
    for name, (model, text) in CASES.items():
        why = check(work, name, model, text)
        ok &= why is None
        lines.append("ok - onnx import refuses %s" % name if why is None else
                     "not ok - onnx import refuses %s: %s" % (name, why))
    return lines, ok
