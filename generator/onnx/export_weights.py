"""The weights of a checkpoint (safetensors, as the trainer writes it) as numpy
arrays, named as the layer JSON names them: PATH.NAME, e.g. layer1.0.bn1.running_var.
Read with numpy only, so that the export needs no torch."""
import json
import struct

import numpy as np


class CheckpointError(Exception):
    """A checkpoint that cannot be read or does not fit the spec: one line."""


def read(path):
    """{name: float32 array}, the optimizer's state left out."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise CheckpointError(f"{path}: {e.strerror}") from None
    if len(blob) < 8:
        raise CheckpointError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise CheckpointError(f"{path}: header length beyond the end of the file")
    try:
        header = json.loads(blob[8:8 + n])
    except ValueError:
        raise CheckpointError(f"{path}: the header is not JSON") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path}: the header is not a JSON object")
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        if not name.startswith("optimizer."):
            tensors[name] = _tensor(path, name, info, data)
    return tensors


def _tensor(path, name, info, data):
    try:
        dtype, (begin, end), shape = info["dtype"], info["data_offsets"], [int(d) for d in info["shape"]]
    except (KeyError, TypeError, ValueError):
        raise CheckpointError(f"{path}: tensor {name}: no dtype, shape and data_offsets") from None
    if dtype != "F32":
        raise CheckpointError(f"{path}: tensor {name} is {dtype}; the trainer writes F32")
    if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end <= len(data)
            and min(shape, default=0) >= 0 and end - begin == 4 * int(np.prod(shape, dtype=np.int64))):
        raise CheckpointError(f"{path}: tensor {name}: data offsets do not fit its shape or the file")
    return np.frombuffer(data[begin:end], dtype="<f4").reshape(shape).astype(np.float32)


def for_layers(path, layers):
    """The arrays every layer's params need, checked against the spec's shapes."""
    tensors = read(path)
    wanted = {}
    for layer in layers:
        for p in layer["params"]:
            name = f"{layer['path']}.{p['name']}"
            if name not in tensors:
                raise CheckpointError(f"{path}: no tensor {name} (layer {layer['path']}, {layer['op']}): "
                                      "a checkpoint of another spec?")
            if list(tensors[name].shape) != p["shape"]:
                raise CheckpointError(f"{path}: tensor {name} has shape {list(tensors[name].shape)}; "
                                      f"the spec's is {p['shape']}")
            wanted[name] = tensors[name]
    return wanted
