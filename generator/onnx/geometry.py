"""Window geometry shared by Conv and the pools: ONNX's pads and auto_pad
resolved to explicit [begin..., end...] pads, and output sizes."""
import math

from refusal import Refusal


def pads(label, attrs, size, k, stride, dilation):
    """Explicit pads [b1, b2, ..., e1, e2, ...] for spatial sizes `size`."""
    mode = attrs.get("auto_pad", b"NOTSET")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    n = len(size)
    if mode in ("NOTSET", ""):
        p = list(attrs.get("pads", [0] * (2 * n)))
        if len(p) != 2 * n or min(p) < 0:
            raise Refusal("%s: pads %s do not fit %d spatial dimensions" % (label, p, n))
        return p
    if mode == "VALID":
        return [0] * (2 * n)
    if mode not in ("SAME_UPPER", "SAME_LOWER"):
        raise Refusal("%s: auto_pad '%s' is not supported" % (label, mode))
    begin, end = [], []
    for i in range(n):
        out = -(-size[i] // stride[i])
        total = max((out - 1) * stride[i] + (k[i] - 1) * dilation[i] + 1 - size[i], 0)
        small = total // 2
        begin.append(small if mode == "SAME_UPPER" else total - small)
        end.append(total - begin[-1])
    return begin + end


def out_size(size, k, stride, pad_begin, pad_end, dilation=1, ceil_mode=False):
    span = size + pad_begin + pad_end - dilation * (k - 1) - 1
    if not ceil_mode:
        return span // stride + 1
    out = math.ceil(span / stride) + 1
    # PyTorch's and ONNX's rule: the last window starts inside the input or its leading pad.
    if (out - 1) * stride >= size + pad_begin:
        out -= 1
    return out


def dsl_pad(label, p, per_side_1d=False):
    """The DSL's pad value for explicit pads: a number, {h, w}, {top, left, bottom, right} or,
    where the layer takes it (conv1d), {left, right}."""
    n = len(p) // 2
    begin, end = p[:n], p[n:]
    if begin == end:
        return begin[0] if len(set(begin)) == 1 else list(begin)
    if n == 1 and per_side_1d:
        return [begin[0], end[0]]
    if n == 1:
        raise Refusal("%s: asymmetric padding %s of a 1-D window is not supported" % (label, p))
    return [begin[0], begin[1], end[0], end[1]]


def number_or_pair(values):
    return values[0] if len(set(values)) == 1 else list(values)
