#!/usr/bin/python3
"""Imports an ONNX model as a spec and its weights.

  import.py MODEL.onnx NAME [--spec specs/NAME.lua] [--weights build/NAME/weights.safetensors]
            [--batch N] [--const INPUT=TENSOR.pb ...] [--mean A,B,C --std A,B,C]

--const makes a graph input a constant (a TensorProto file, e.g. ONNX's
test_data_set_0/input_1.pb). --mean/--std record the input normalization the
weights were trained with in the weights' metadata (as runtime/convert_torch.py
does; --eval, --predict and --teacher need it). A model that cannot be imported gets one line
on stderr and exit status 1, and nothing is written."""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from importer import HEADER, import_model  # noqa: E402
from refusal import Refusal  # noqa: E402


def read_tensor(path):
    import onnx
    from onnx import numpy_helper
    t = onnx.TensorProto()
    try:
        with open(path, "rb") as f:
            t.ParseFromString(f.read())
    except (OSError, Exception) as e:
        raise Refusal("%s: not a readable TensorProto (%s)" % (path, e))
    return numpy_helper.to_array(t)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("name")
    p.add_argument("--spec")
    p.add_argument("--weights")
    p.add_argument("--batch", type=int)
    p.add_argument("--const", action="append", default=[])
    p.add_argument("--mean")
    p.add_argument("--std")
    a = p.parse_args()
    if bool(a.mean) != bool(a.std) or (a.mean and len(a.mean.split(",")) != len(a.std.split(","))):
        sys.exit("import.py: --mean and --std go together, one value per channel each")
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", a.name):
        sys.exit("import.py: the spec name '%s' is not 1 to 64 letters, digits and _" % a.name)
    spec = a.spec or os.path.join("specs", a.name + ".lua")
    weights = a.weights or os.path.join("build", a.name, "weights.safetensors")
    if os.path.exists(spec):
        with open(spec, errors="replace") as f:
            if not f.readline().startswith(HEADER):
                sys.exit("import.py: %s exists and was not written by the importer; choose another name" % spec)
    try:
        consts = {}
        for item in a.const:
            key, _, path = item.partition("=")
            consts[key] = read_tensor(path)
        import_model(a.model, a.name, spec, weights, a.batch, consts, {"mean": a.mean, "std": a.std} if a.mean else None)
    except Refusal as e:
        sys.exit(str(e))
    except OSError as e:
        sys.exit("import.py: %s: %s" % (e.filename, e.strerror))
    print("%s, %s: imported from %s" % (spec, weights, a.model))


if __name__ == "__main__":
    main()
