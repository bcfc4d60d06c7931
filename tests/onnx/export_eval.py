"""Evaluates an ONNX graph node by node with torch.nn.functional: an
evaluator independent of this project's exporter and importer, for the ops
they use (PyTorch is the reference implementation of every one of them).
Evaluation semantics only: BatchNormalization with training_mode=1 is refused."""
import math

import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    from onnx import helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b=None, *, kernel_shape=None, strides=None, pads=None, dilations=None, group=1,
          auto_pad=b"NOTSET"):
    assert auto_pad in (b"NOTSET", "NOTSET"), "auto_pad"
    d = x.dim() - 2
    fn = F.conv1d if d == 1 else F.conv2d
    return fn(F.pad(x, _torch_pad(pads or [0] * (2 * d))), w, b, stride=strides or 1, dilation=dilations or 1,
              groups=group)


def _pool(kind):
    """ONNX's pads may differ per side, which PyTorch's pools do not take: the
    input is padded first (-inf for the max), and without count_include_pad
    the sum is divided by the count of real elements."""
    def run(x, *, kernel_shape, strides=None, pads=None, ceil_mode=0, count_include_pad=0,
            auto_pad=b"NOTSET", dilations=None, storage_order=0):
        assert auto_pad in (b"NOTSET", "NOTSET") and (not dilations or set(dilations) == {1}), "pool attributes"
        d = x.dim() - 2
        pads, strides = pads or [0] * (2 * d), strides or [1] * d
        if kind == "max":
            fn = F.max_pool1d if d == 1 else F.max_pool2d
            if pads[:d] == pads[d:]:
                return fn(x, kernel_shape, strides, pads[:d], ceil_mode=bool(ceil_mode))
            padded = F.pad(x, _torch_pad(pads), value=float("-inf"))
            return fn(padded, kernel_shape, strides, ceil_mode=bool(ceil_mode))
        fn = F.avg_pool1d if d == 1 else F.avg_pool2d
        if pads[:d] == pads[d:]:
            return fn(x, kernel_shape, strides, pads[:d], ceil_mode=bool(ceil_mode),
                      count_include_pad=bool(count_include_pad))
        y = fn(F.pad(x, _torch_pad(pads)), kernel_shape, strides, ceil_mode=bool(ceil_mode))
        if count_include_pad:
            return y
        return y / fn(F.pad(torch.ones_like(x), _torch_pad(pads)), kernel_shape, strides, ceil_mode=bool(ceil_mode))
    return run


def _torch_pad(pads):
    """ONNX's (begin..., end...) as F.pad's (last axis first, begin and end each)."""
    d, out = len(pads) // 2, []
    for axis in reversed(range(d)):
        out += [pads[axis], pads[axis + d]]
    return out


def _batchnorm(x, scale, bias, mean, var, *, epsilon=1e-5, momentum=0.9, training_mode=0):
    assert not training_mode, "BatchNormalization in training mode"
    return F.batch_norm(x, mean, var, scale, bias, training=False, eps=epsilon)


def _gemm(a, b, c=None, *, alpha=1.0, beta=1.0, transA=0, transB=0):
    y = alpha * ((a.t() if transA else a) @ (b.t() if transB else b))
    return y if c is None else y + beta * c


def _flatten(x, *, axis=1):
    return x.reshape(math.prod(x.shape[:axis]), -1)


OPS = {
    "Conv": _conv, "MaxPool": _pool("max"), "AveragePool": _pool("avg"), "BatchNormalization": _batchnorm,
    "Gemm": _gemm, "Flatten": _flatten,
    "GlobalAveragePool": lambda x: x.mean(dim=tuple(range(2, x.dim())), keepdim=True),
    "Relu": F.relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh,
    "LeakyRelu": lambda x, alpha=0.01: F.leaky_relu(x, alpha),
    "Elu": lambda x, alpha=1.0: F.elu(x, alpha),
    "Softmax": lambda x, axis=-1: torch.softmax(x, axis),
    "Clip": lambda x, low=None, high=None: torch.clamp(x, low, high),
    "Add": torch.add, "Concat": lambda *xs, axis: torch.cat(xs, axis),
    "Squeeze": lambda x, axes: x.squeeze(int(axes[0])) if len(axes) == 1 else x.reshape(
        [s for i, s in enumerate(x.shape) if i not in [int(a) % x.dim() for a in axes]]),
    "Transpose": lambda x, perm: x.permute(perm), "Identity": lambda x: x,
    "Reshape": lambda x, shape, allowzero=0: x.reshape(
        [x.shape[i] if int(s) == 0 and not allowzero else int(s) for i, s in enumerate(shape)]),
}


def run(model, x, dtype=torch.float64):
    """The graph's only output for input `x` (the graph's first input), in `dtype`."""
    values = {}
    for init in model.graph.initializer:
        t = torch.from_numpy(numpy_helper.to_array(init).copy())
        values[init.name] = t.to(dtype) if t.is_floating_point() else t
    values[model.graph.input[0].name] = x.to(dtype)
    for node in model.graph.node:
        if node.op_type not in OPS:
            raise ValueError(f"node {node.name}: {node.op_type} is not evaluated here")
        args = [values[i] if i else None for i in node.input]
        while args and args[-1] is None:
            args.pop()
        outputs = OPS[node.op_type](*args, **_attrs(node))
        values[node.output[0]] = outputs
    return values[model.graph.output[0].name]
