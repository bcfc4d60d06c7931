#!/usr/bin/python3
"""generator/onnx/export.py on bad input: each case exits with status 1 after
one line on stderr that names the file and the problem, and no traceback.
usage: export_errors.py [--lua lua5.4]
Exit status: 0 all as expected, 1 a case that was not (printed)."""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXPORT = os.path.join(ROOT, "generator", "onnx", "export.py")
SPEC = os.path.join(ROOT, "specs", "fmnist_mlp.lua")


def safetensors(path, tensors, dtype="F32"):
    """`tensors` {name: (shape, number of floats written)}, zeros."""
    header, offset = {}, 0
    for name, (shape, count) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + 4 * count]}
        offset += 4 * count
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + bytes(offset))


def good_tensors(lua):
    spec = json.loads(subprocess.run([lua, os.path.join(ROOT, "generator", "main.lua"), SPEC, "--layers"],
                                     check=True, capture_output=True, text=True).stdout)
    out = {}
    for layer in spec["layers"]:
        for p in layer["params"]:
            n = 1
            for d in p["shape"]:
                n *= d
            out[f"{layer['path']}.{p['name']}"] = (p["shape"], n)
    return out


def cases(work, lua):
    good = good_tensors(lua)
    first = next(iter(good))
    missing = dict(good)
    del missing[first]
    reshaped = dict(good)
    reshaped[first] = ([good[first][1]], good[first][1])
    short = dict(good)
    short[first] = (good[first][0], good[first][1] - 1)
    files = {"missing": missing, "reshaped": reshaped, "short": short}
    for name, tensors in files.items():
        safetensors(os.path.join(work, name), tensors)
    safetensors(os.path.join(work, "f16"), good, dtype="F16")
    with open(os.path.join(work, "truncated"), "wb") as f:
        f.write(b"\x10\x00")
    with open(os.path.join(work, "bad.lua"), "w") as f:
        f.write("return network{ input = { 3 }, linear{ }, loss = mse{} }\n")
    ok = os.path.join(work, "ok")
    safetensors(ok, good)
    return [  # spec, checkpoint, output, what the line says
        (SPEC, os.path.join(work, "absent"), "x.onnx", "No such file"),
        (SPEC, os.path.join(work, "missing"), "x.onnx", f"no tensor {first}"),
        (SPEC, os.path.join(work, "reshaped"), "x.onnx", f"tensor {first} has shape"),
        (SPEC, os.path.join(work, "short"), "x.onnx", "do not fit"),
        (SPEC, os.path.join(work, "f16"), "x.onnx", "is F16"),
        (SPEC, os.path.join(work, "truncated"), "x.onnx", "too short"),
        (os.path.join(work, "bad.lua"), ok, "x.onnx", "missing the number of output features"),
        (SPEC, ok, os.path.join(work, "no", "dir", "x.onnx"), "No such file"),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lua", default="lua5.4")
    args = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for spec, ckpt, out, expect in cases(work, args.lua):
            out = out if os.path.isabs(out) else os.path.join(work, out)
            run = subprocess.run([sys.executable, EXPORT, spec, "--checkpoint", ckpt, "--export-onnx", out,
                                  "--lua", args.lua], capture_output=True, text=True)
            lines = run.stderr.strip().splitlines()
            good = run.returncode == 1 and len(lines) == 1 and expect in lines[0] and "Traceback" not in run.stderr
            print(("ok   " if good else "FAIL ") + f"{os.path.basename(ckpt)} -> status {run.returncode}: "
                  + " / ".join(lines))
            failures += not good
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
