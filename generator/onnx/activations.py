"""Elementwise and shape-only ONNX nodes: activations, Clip as ReLU6 or ReLU,
Softmax over a vector, Flatten and Reshape to [N, features], Dropout and
Identity (identities in evaluation)."""
import numpy as np

from layers import Layer
from refusal import Refusal


def simple(op):
    def convert(ctx):
        ctx.allow()
        return Layer(op, node=ctx.node), ctx.shape
    return convert


def leaky_relu(ctx):
    ctx.allow("alpha")
    alpha = ctx.number(ctx.attrs.get("alpha", 0.01))
    args = [("slope", alpha)] if alpha != ctx.number(0.01) else []
    return Layer("leaky_relu", args, node=ctx.node), ctx.shape


def clip(ctx):
    ctx.allow("min", "max")
    low, high = ctx.attrs.get("min"), ctx.attrs.get("max")
    if ctx.opset >= 11:
        low, high = ctx.const(1, "min"), ctx.const(2, "max")
        low = None if low is None else float(low)
        high = None if high is None else float(high)
    if low is None and high is None:
        return None, ctx.shape
    if low == 0 and high == 6:
        return Layer("relu6", node=ctx.node), ctx.shape
    if low == 0 and high is None:
        return Layer("relu", node=ctx.node), ctx.shape
    raise Refusal("%s: min %s, max %s; only min 0, max 6 (ReLU6) or min 0 (ReLU) is imported"
                  % (ctx.label, low, high))


def softmax(ctx):
    ctx.allow("axis")
    rank = len(ctx.shape) + 1
    axis = ctx.attrs.get("axis", -1 if ctx.opset >= 13 else 1)
    axis = axis + rank if axis < 0 else axis
    if rank != 2 or axis != 1:
        raise Refusal("%s: softmax over axis %d of a %s input; only over the features of [N, features]"
                      % (ctx.label, axis, ctx.full_shape()))
    return Layer("softmax", node=ctx.node), ctx.shape


def _to_vector(ctx):
    features = int(np.prod(ctx.shape))
    layer = Layer("flatten", node=ctx.node) if len(ctx.shape) > 1 else None
    return layer, [features]


def flatten(ctx):
    ctx.allow("axis")
    rank = len(ctx.shape) + 1
    axis = ctx.attrs.get("axis", 1)
    axis = axis + rank if axis < 0 else axis
    if axis != 1:
        raise Refusal("%s: attribute 'axis' = %d is not supported; only 1 (keeps the batch)" % (ctx.label, axis))
    return _to_vector(ctx)


def reshape(ctx):
    ctx.allow("allowzero")
    target = ctx.const(1, "shape", required=True).astype(np.int64).tolist()
    full = [ctx.batch] + list(ctx.shape)
    if not ctx.attrs.get("allowzero", 0):
        target = [full[i] if d == 0 and i < len(full) else d for i, d in enumerate(target)]
    total = int(np.prod(full))
    if target.count(-1) == 1:
        known = int(np.prod([d for d in target if d != -1]))
        target = [total // known if d == -1 and known else d for d in target]
    if target != [ctx.batch, total // ctx.batch]:
        raise Refusal("%s: reshape of %s to %s; only to [N, features] is imported"
                      % (ctx.label, ctx.full_shape(), target))
    return _to_vector(ctx)


def dropout(ctx):
    ctx.allow("ratio", "seed", "is_test")
    ctx.single_output("the mask output")
    ratio = ctx.attrs.get("ratio", 0.5)
    if ctx.opset >= 12:
        r, training = ctx.const(1, "ratio"), ctx.const(2, "training_mode")
        if training is not None and bool(training):
            raise Refusal("%s: training_mode = true is not supported (inference only)" % ctx.label)
        ratio = 0.5 if r is None else float(r)
    args = [] if ctx.number(ratio) == 0.5 else [(None, ctx.number(ratio))]
    return Layer("dropout", args, node=ctx.node), ctx.shape


def identity(ctx):
    ctx.allow()
    return None, ctx.shape


def pad(ctx):
    """Only the all-zero Pad that torch.onnx.export writes before an AveragePool."""
    ctx.allow("mode", "pads", "value")
    pads = ctx.attrs.get("pads") if ctx.opset < 11 else ctx.const(1, "pads")
    if pads is None or np.any(np.asarray(pads) != 0):
        raise Refusal("%s: padding %s; only a Pad of zeros (an identity) is imported"
                      % (ctx.label, None if pads is None else np.asarray(pads).tolist()))
    return None, ctx.shape
