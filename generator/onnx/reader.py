"""Reads an ONNX model with python3-onnx: the graph, its constant tensors
(initializers, Constant nodes, and graph inputs the caller supplies as
constants) and its one data input."""
import warnings

import numpy as np
import onnx
from onnx import numpy_helper

from refusal import Refusal

FLOAT = onnx.TensorProto.FLOAT


def load(path):
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise Refusal("%s: %s" % (path, e.strerror))
    model = onnx.ModelProto()
    try:
        with warnings.catch_warnings():  # protobuf warns about some garbage instead of raising
            warnings.simplefilter("error")
            model.ParseFromString(blob)
    except Exception:
        raise Refusal("%s: not an ONNX model (the protobuf does not parse; truncated?)" % path)
    if not model.HasField("graph") or not model.graph.node:
        raise Refusal("%s: not an ONNX model (no graph nodes)" % path)
    return model


def opset(model):
    for o in model.opset_import:
        if o.domain in ("", "ai.onnx"):
            return o.version
    return 1


def constants(model, supplied):
    """name -> numpy array for every constant value of the graph."""
    found = {}
    for t in model.graph.initializer:
        found[t.name] = numpy_helper.to_array(t)
    found.update(supplied or {})
    for node in model.graph.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    found[node.output[0]] = numpy_helper.to_array(a.t)
        elif node.op_type == "Identity" and node.input[0] in found:  # torch.onnx.export shares equal weights this way
            found[node.output[0]] = found[node.input[0]]
    return found


def data_input(model, consts):
    """The graph input that is not a constant: (name, dims), dims ints or None when symbolic."""
    inputs = [i for i in model.graph.input if i.name not in consts]
    if len(inputs) != 1:
        names = ", ".join("'%s'" % i.name for i in inputs) or "none"
        raise Refusal("the graph has %d data inputs (%s); one is imported (the others must be initializers)"
                      % (len(inputs), names))
    value = inputs[0]
    if not value.type.HasField("tensor_type"):
        raise Refusal("input '%s' is not a tensor (a sequence or optional)" % value.name)
    t = value.type.tensor_type
    if t.elem_type != FLOAT:
        raise Refusal("input '%s' is %s; only float32 inputs are imported"
                      % (value.name, onnx.TensorProto.DataType.Name(t.elem_type).lower()))
    dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
    if 0 in dims:
        raise Refusal("input '%s' has shape %s: empty" % (value.name, dims))
    if not dims:
        raise Refusal("input '%s' has no shape (rank 0 or unknown)" % value.name)
    if None in dims[1:]:
        raise Refusal("input '%s' has symbolic dimensions besides the batch: %s" % (value.name, dims))
    return value.name, dims


def as_float(array, what):
    if array.dtype.kind != "f":
        raise Refusal("%s is %s; only floating-point weights are imported" % (what, array.dtype))
    return np.asarray(array, dtype=np.float32)
