"""One ONNX node (or a short chain) per layer of the generator's layer JSON
(`generator/main.lua SPEC --layers`), evaluation graph only: dropout and
dropblock are the identity there and leave no node."""
import numpy as np
from onnx import helper, numpy_helper


class ExportError(Exception):
    """A layer the export cannot write: one line."""


class Graph:
    """Nodes and initializers as they are added; `value` maps a layer path to
    the name of the value that holds its output."""

    def __init__(self, weights):
        self.weights = weights
        self.nodes, self.initializers, self.value = [], [], {"input": "input"}
        self.used = set()

    def param(self, layer, name):
        full = f"{layer['path']}.{name}"
        if full not in self.used:
            self.used.add(full)
            self.initializers.append(numpy_helper.from_array(self.weights[full], full))
        return full

    def const(self, name, array):
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op_type, inputs, output, name, **attrs):
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=name, **attrs))
        return output


def conv(g, layer, xs, y):
    c, one_d = layer["conv"], layer["op"] == "conv1d"
    inputs = [xs[0], g.param(layer, "weight")] + ([g.param(layer, "bias")] if c["bias"] else [])
    if one_d:
        shape = dict(kernel_shape=[c["kw"]], strides=[c["sw"]], pads=[c["pl"], c["pr"]])
        dilations = [c.get("dil_w", 1)]
    else:
        shape = dict(kernel_shape=[c["kh"], c["kw"]], strides=[c["sh"], c["sw"]],
                     pads=[c["pt"], c["pl"], c["pb"], c["pr"]])
        dilations = [c.get("dil_h", 1), c.get("dil_w", 1)]
    return g.node("Conv", inputs, y, layer["path"], dilations=dilations, group=c.get("groups", 1), **shape)


def _pool_axes(p, one_d):
    """Per axis: input size, kernel, stride, padding before and after, our output size."""
    names = [("W", "kw", "sw", "pw", "pr", "Wo")] if one_d else [("H", "kh", "sh", "ph", "pb", "Ho"),
                                                                  ("W", "kw", "sw", "pw", "pr", "Wo")]
    return [(p[n], p[k], p[s], p[b], p.get(e, p[b]), p[o]) for n, k, s, b, e, o in names]


def pool(g, layer, xs, y):
    """PyTorch's ceil_mode drops a last window that would start in the padding
    after; ONNX's does not. Where that changes the output size, the pool is
    written without ceil_mode: the windows PyTorch keeps are then exactly those
    of floor mode (a window left out would lie wholly in the padding after,
    which is at most half a window)."""
    p, op = layer["pool"], layer["op"]
    axes = _pool_axes(p, op == "maxpool1d")
    ceil = bool(p.get("ceil_mode", False)) and all(-(-(n + b + e - k) // s) + 1 == o for n, k, s, b, e, o in axes)
    attrs = dict(kernel_shape=[k for _, k, *_ in axes], strides=[s for _, _, s, *_ in axes],
                 pads=[b for *_, b, _, _ in axes] + [e for *_, e, _ in axes], ceil_mode=int(ceil))
    if op == "avgpool2d":
        return g.node("AveragePool", xs, y, layer["path"], count_include_pad=int(p.get("count_include_pad", True)),
                      **attrs)
    return g.node("MaxPool", xs, y, layer["path"], **attrs)


def batchnorm(g, layer, xs, y):
    b = layer["bn"]
    inputs = [xs[0]] + [g.param(layer, n) for n in ("weight", "bias", "running_mean", "running_var")]
    # ONNX's momentum weighs the old running value, PyTorch's the new batch's.
    return g.node("BatchNormalization", inputs, y, layer["path"], epsilon=b["eps"], momentum=1.0 - b["momentum"])


def linear(g, layer, xs, y):
    inputs = [xs[0], g.param(layer, "weight")] + ([g.param(layer, "bias")] if layer["fc"]["bias"] else [])
    return g.node("Gemm", inputs, y, layer["path"], alpha=1.0, beta=1.0, transB=1)


def global_avgpool(g, layer, xs, y):
    pooled = g.node("GlobalAveragePool", xs, f"{layer['path']}/pooled", layer["path"])
    return g.node("Flatten", [pooled], y, f"{layer['path']}/flatten", axis=1)


def add(g, layer, xs, y):
    total = xs[0]
    for i, x in enumerate(xs[1:], 1):
        last = i == len(xs) - 1
        total = g.node("Add", [total, x], y if last else f"{layer['path']}/sum{i}",
                       layer["path"] if last else f"{layer['path']}/add{i}")
    return total


def relu6(g, layer, xs, y):
    low = g.const(f"{layer['path']}/min", np.array(0.0, np.float32))
    high = g.const(f"{layer['path']}/max", np.array(6.0, np.float32))
    return g.node("Clip", [xs[0], low, high], y, layer["path"])


def rows_as_sequence(g, layer, xs, y):
    axes = g.const(f"{layer['path']}/axes", np.array([1], np.int64))
    rows = g.node("Squeeze", [xs[0], axes], f"{layer['path']}/rows", f"{layer['path']}/squeeze")
    return g.node("Transpose", [rows], y, layer["path"], perm=[0, 2, 1])


def _simple(op_type, **fixed):
    def build(g, layer, xs, y):
        return g.node(op_type, xs, y, layer["path"], **fixed)
    return build


def _with(op_type, key, default):
    def build(g, layer, xs, y):
        return g.node(op_type, xs, y, layer["path"], alpha=float(layer.get(key, default)))
    return build


def _value_name(path):
    return path if path != "output" else "output.layer"  # `output` is the graph's


BUILDERS = {
    "conv2d": conv, "conv1d": conv, "maxpool2d": pool, "maxpool1d": pool, "avgpool2d": pool,
    "batchnorm": batchnorm, "linear": linear, "global_avgpool": global_avgpool, "add": add,
    "relu6": relu6, "rows_as_sequence": rows_as_sequence,
    "concat": _simple("Concat", axis=1), "flatten": _simple("Flatten", axis=1),
    "relu": _simple("Relu"), "sigmoid": _simple("Sigmoid"), "tanh": _simple("Tanh"),
    "softmax": _simple("Softmax", axis=1),
    "leaky_relu": _with("LeakyRelu", "slope", 0.01), "elu": _with("Elu", "alpha", 1.0),
}
IDENTITY = ("dropout", "dropblock")


def build(layers, weights):
    """The graph of `layers`; its last layer's value is named `output`."""
    g = Graph(weights)
    for i, layer in enumerate(layers):
        xs = [g.value[p] for p in layer["inputs"]]
        if layer["op"] in IDENTITY:
            g.value[layer["path"]] = xs[0]
            continue
        if layer["op"] not in BUILDERS:
            raise ExportError(f"layer {layer['path']}: {layer['op']} has no ONNX export")
        y = "output" if i == len(layers) - 1 else _value_name(layer["path"])
        g.value[layer["path"]] = BUILDERS[layer["op"]](g, layer, xs, y)
    if g.value[layers[-1]["path"]] != "output":  # the network ends in a dropout
        g.node("Identity", [g.value[layers[-1]["path"]]], "output", "output")
    return g
