"""ONNX nodes with one data input, mapped to DSL layers. Each converter takes
the node's context (ops.Context: attributes, constant inputs, the data
input's shape without the batch) and returns (Layer or None for an identity,
output shape without the batch). Attributes outside what a converter knows
are refused by name."""
import numpy as np

import geometry
from refusal import Refusal


class Layer:
    """A DSL layer: constructor, arguments in order ((key, value); key None
    for a positional one) and its tensors by suffix (weight, bias, ...)."""

    def __init__(self, op, args=(), tensors=None, node=None):
        self.op, self.args, self.tensors, self.node = op, list(args), tensors or {}, node
        self.name = None    # the layer's name= in its container
        self.want = None    # the dotted path the source model gave it, as a list

    def arg(self, key):
        for k, v in self.args:
            if k == key:
                return v
        return None

    def set_arg(self, key, value):
        self.args = [(k, v) for k, v in self.args if k != key]
        if value is not None:
            self.args.append((key, value))


def _optional(key, value, default):
    return [(key, value)] if value != default else []


def conv(ctx):
    ctx.allow("kernel_shape", "strides", "pads", "auto_pad", "dilations", "group")
    w = ctx.const(1, "the weight W", required=True)
    b = ctx.const(2, "the bias B")
    n = w.ndim - 2
    if n not in (1, 2) or len(ctx.shape) != n + 1:
        raise Refusal("%s: %d-D convolution of a %s input; conv1d and conv2d are imported"
                      % (ctx.label, n, ctx.full_shape()))
    k = list(w.shape[2:])
    if list(ctx.attrs.get("kernel_shape", k)) != k:
        raise Refusal("%s: kernel_shape %s differs from the weight's %s" % (ctx.label, ctx.attrs["kernel_shape"], k))
    stride = list(ctx.attrs.get("strides", [1] * n))
    dilation = list(ctx.attrs.get("dilations", [1] * n))
    groups = ctx.attrs.get("group", 1)
    if ctx.shape[0] != w.shape[1] * groups:
        raise Refusal("%s: %d input channels, but the weight takes %d x %d groups"
                      % (ctx.label, ctx.shape[0], w.shape[1], groups))
    p = geometry.pads(ctx.label, ctx.attrs, ctx.shape[1:], k, stride, dilation)
    out = [w.shape[0]] + [geometry.out_size(ctx.shape[1 + i], k[i], stride[i], p[i], p[n + i], dilation[i])
                          for i in range(n)]
    args = [(None, int(w.shape[0])), ("k", geometry.number_or_pair(k))]
    args += _optional("stride", geometry.number_or_pair(stride), 1)
    args += _optional("pad", geometry.dsl_pad(ctx.label, p, per_side_1d=True), 0)
    args += _optional("dilation", geometry.number_or_pair(dilation), 1)
    args += _optional("groups", groups, 1)
    args += _optional("bias", b is not None, True)
    tensors = {"weight": w} if b is None else {"weight": w, "bias": b}
    return Layer("conv2d" if n == 2 else "conv1d", args, tensors, ctx.node), out


def _pool(ctx, op, avg):
    known = ["kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "storage_order", "dilations"]
    ctx.allow(*(known + (["count_include_pad"] if avg else [])))
    k = list(ctx.attrs["kernel_shape"])
    n = len(k)
    if n != len(ctx.shape) - 1 or n not in (1, 2):
        raise Refusal("%s: %d-D pooling of a %s input; 2-D pooling (and 1-D max pooling) is imported"
                      % (ctx.label, n, ctx.full_shape()))
    if n == 1 and avg:
        raise Refusal("%s: 1-D average pooling is not supported" % ctx.label)
    if list(ctx.attrs.get("dilations", [1] * n)) != [1] * n:
        raise Refusal("%s: attribute 'dilations' %s is not supported" % (ctx.label, list(ctx.attrs["dilations"])))
    stride = list(ctx.attrs.get("strides", [1] * n))
    ceil_mode = bool(ctx.attrs.get("ceil_mode", 0))
    p = geometry.pads(ctx.label, ctx.attrs, ctx.shape[1:], k, stride, [1] * n)
    out = [ctx.shape[0]] + [geometry.out_size(ctx.shape[1 + i], k[i], stride[i], p[i], p[n + i], 1, ceil_mode)
                            for i in range(n)]
    args = [(None, geometry.number_or_pair(k))]
    args += _optional("stride", geometry.number_or_pair(stride), geometry.number_or_pair(k))
    args += _optional("pad", geometry.dsl_pad(ctx.label, p), 0)
    args += _optional("ceil_mode", ceil_mode, False)
    if avg and any(p):
        args += _optional("count_include_pad", bool(ctx.attrs.get("count_include_pad", 0)), True)
    return Layer(op, args, node=ctx.node), out


def maxpool(ctx):
    ctx.single_output("the argmax output Indices")
    return _pool(ctx, "maxpool2d" if len(ctx.attrs.get("kernel_shape", [])) == 2 else "maxpool1d", False)


def avgpool(ctx):
    return _pool(ctx, "avgpool2d", True)


def global_avgpool(ctx):
    ctx.allow()
    if len(ctx.shape) not in (2, 3):
        raise Refusal("%s: global pooling of a %s input; images or sequences are imported"
                      % (ctx.label, ctx.full_shape()))
    return Layer("global_avgpool", node=ctx.node), [ctx.shape[0]]


def batchnorm(ctx):
    ctx.allow("epsilon", "momentum", "training_mode", "spatial")
    if ctx.attrs.get("training_mode", 0) or len([o for o in ctx.node.output if o]) > 1:
        raise Refusal("%s: training mode (attribute 'training_mode' or its statistics outputs) is not supported"
                      % ctx.label)
    if ctx.attrs.get("spatial", 1) != 1:
        raise Refusal("%s: attribute 'spatial' = 0 is not supported" % ctx.label)
    names = ["weight", "bias", "running_mean", "running_var"]
    tensors = {name: ctx.const(i + 1, "input %s" % name, required=True) for i, name in enumerate(names)}
    for name, t in tensors.items():
        if t.shape != (ctx.shape[0],):
            raise Refusal("%s: %s has shape %s, not [%d]" % (ctx.label, name, list(t.shape), ctx.shape[0]))
    eps = ctx.attrs.get("epsilon", 1e-5)
    momentum = 1.0 - ctx.number(ctx.attrs.get("momentum", 0.9))  # ONNX's is the old statistics' share
    args = _optional("eps", ctx.number(eps), ctx.number(1e-5))
    args += _optional("momentum", ctx.number(momentum), ctx.number(0.1))
    return Layer("batchnorm", args, tensors, ctx.node), ctx.shape


def _vector(ctx, what):
    if len(ctx.shape) != 1:
        raise Refusal("%s: %s of a %s input; only a vector input [N, features] is imported"
                      % (ctx.label, what, ctx.full_shape()))
    return ctx.shape[0]


def gemm(ctx):
    ctx.allow("alpha", "beta", "transA", "transB")
    if ctx.data_index != 0:
        raise Refusal("%s: the data input is B; only A @ constant B is imported" % ctx.label)
    if ctx.attrs.get("transA", 0):
        raise Refusal("%s: attribute 'transA' = 1 is not supported" % ctx.label)
    k = _vector(ctx, "Gemm")
    b = ctx.const(1, "B", required=True)
    w = b if ctx.attrs.get("transB", 0) else b.T
    if w.ndim != 2 or w.shape[1] != k:
        raise Refusal("%s: B of shape %s does not take %d features" % (ctx.label, list(b.shape), k))
    w = w * np.float32(ctx.attrs.get("alpha", 1.0))
    c = ctx.const(2, "C")
    tensors = {"weight": np.ascontiguousarray(w)}
    if c is not None:
        tensors["bias"] = _bias(ctx, c, w.shape[0]) * np.float32(ctx.attrs.get("beta", 1.0))
    args = [(None, int(w.shape[0]))] + _optional("bias", c is not None, True)
    return Layer("linear", args, tensors, ctx.node), [int(w.shape[0])]


def _bias(ctx, c, n):
    """A bias that broadcasts over the batch as a vector of n values."""
    if c.size not in (1, n) or (c.ndim == 2 and c.shape[0] != 1) or c.ndim > 2:
        raise Refusal("%s: a bias of shape %s varies over the batch; a vector of %d (or one value) is imported"
                      % (ctx.label, list(c.shape), n))
    return np.broadcast_to(c.reshape(-1), (n,)).astype(np.float32)


def matmul(ctx):
    ctx.allow()
    k = _vector(ctx, "MatMul")
    b = ctx.const(1, "B", required=True)
    if ctx.data_index != 0 or b.ndim != 2 or b.shape[0] != k:
        raise Refusal("%s: only [N, %d] @ a constant [%d, M] is imported (B: %s)"
                      % (ctx.label, k, k, list(b.shape)))
    layer = Layer("linear", [(None, int(b.shape[1])), ("bias", False)], {"weight": np.ascontiguousarray(b.T)},
                  ctx.node)
    return layer, [int(b.shape[1])]


def add_constant(ctx):
    """x + constant: the bias of the linear layer (MatMul) right before it."""
    c = ctx.const(1 - ctx.data_index, "the constant")
    prev = ctx.prev_layer
    if prev is None or prev.op != "linear" or "bias" in prev.tensors or len(ctx.shape) != 1:
        raise Refusal("%s: adding a constant tensor is imported only as the bias of a MatMul right before it"
                      % ctx.label)
    prev.tensors["bias"] = _bias(ctx, c, ctx.shape[0])
    prev.set_arg("bias", None)
    return None, ctx.shape
