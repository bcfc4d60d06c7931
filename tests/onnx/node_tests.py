#!/usr/bin/python3
"""ONNX's backend node tests through the importer, and the small PyTorch
models of torch_cases.py: each test of an op the importer maps is imported (every graph input but the first read from
test_data_set_0 as a constant), generated, compiled with tests/onnx/forward.c,
run forward in evaluation mode on input_0.pb, and compared with output_0.pb
(rtol 1e-5, atol 1e-7; ONNX's backend tests allow rtol 1e-3). Prints one TAP line per test.

A refusal (by the importer or the generator) is a skip when the test is
listed in tests/onnx/refused.txt and a failure otherwise; a listed test that
imports fails too, so the list stays exact.

Then the malformed and unsupported files of bad_models.py.

usage: node_tests.py DATA_DIR WORK_DIR --cc CC --cflags FLAGS --lib LIBNNRT --ldlibs LIBS [--lua LUA] [--jobs N]"""
import argparse
import concurrent.futures
import os
import shlex
import subprocess
import sys

import numpy as np

try:
    import onnx
    from onnx import numpy_helper
except ImportError:
    print("ok - onnx node tests # SKIP python3-onnx is missing")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "generator", "onnx"))

from importer import import_model  # noqa: E402
from ops import CONVERTERS, JOINS  # noqa: E402
from refusal import Refusal  # noqa: E402
import bad_models  # noqa: E402
import torch_cases  # noqa: E402

OPS = set(CONVERTERS) | set(JOINS)
RTOL, ATOL = 1e-5, 1e-7  # ONNX's backend tests use rtol 1e-3; this tighter one holds


def selected(data):
    """The tests whose every node is an op the importer maps (no _expanded variants)."""
    names = []
    for name in sorted(os.listdir(data)):
        if not name.startswith("test_") or name.endswith("_expanded"):
            continue
        try:
            model = onnx.load(os.path.join(data, name, "model.onnx"))
        except Exception:
            continue
        if model.graph.node and {n.op_type for n in model.graph.node} <= OPS:
            names.append(name)
    return names


def tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def prepare(data, work, name):
    """Imports one test: (None, case) or (refusal line, None)."""
    src = os.path.join(data, name)
    model = onnx.load(os.path.join(src, "model.onnx"))
    inputs = [i.name for i in model.graph.input]
    init = {t.name for t in model.graph.initializer}
    feeds = [i for i in inputs if i not in init]
    consts = {}
    for k, input_name in enumerate(feeds[1:], start=1):
        consts[input_name] = tensor(os.path.join(src, "test_data_set_0", "input_%d.pb" % k))
    case = os.path.join(work, name)
    os.makedirs(case, exist_ok=True)
    spec = os.path.join(case, name + ".lua")
    try:
        import_model(os.path.join(src, "model.onnx"), name, spec, os.path.join(case, "weights.safetensors"),
                     None, consts)
    except Refusal as e:
        return "importer: " + str(e).split(": ", 1)[1], None
    x = tensor(os.path.join(src, "test_data_set_0", "input_0.pb"))
    y = tensor(os.path.join(src, "test_data_set_0", "output_0.pb"))
    x.astype("<f4").tofile(os.path.join(case, "input.f32"))
    n = x.shape[0] if x.ndim > 1 else x.size
    return None, {"name": name, "dir": case, "spec": spec, "n": n, "expected": y}


def build(case, args):
    """Generates and compiles one case; a generator refusal is returned as a line."""
    name, d = case["name"], case["dir"]
    gen = subprocess.run([args.lua, os.path.join(ROOT, "generator", "main.lua"), case["spec"], "--out", d],
                         capture_output=True, text=True, cwd=ROOT)
    if gen.returncode != 0:
        return "generator: " + (gen.stderr.strip().splitlines() or ["exit %d" % gen.returncode])[0]
    cmd = [args.cc] + shlex.split(args.cflags) + ["-I" + d, "-DMODEL=%s_model" % name,
                                                   '-DMODEL_HEADER="%s.h"' % name, os.path.join(HERE, "forward.c"),
                                                   os.path.join(d, name + ".c"), args.lib] + shlex.split(args.ldlibs)
    cc = subprocess.run(cmd + ["-o", os.path.join(d, "forward")], capture_output=True, text=True, cwd=ROOT)
    if cc.returncode != 0:
        raise RuntimeError("compile failed: " + cc.stderr.strip()[:2000])
    return None


def run(case):
    if case.get("names"):
        want, got = case["names"]
        want = {n.replace(".downsample.", ".shortcut.") for n in want if not n.endswith("num_batches_tracked")}
        if want != got:
            return "tensor names differ from the state_dict's: %s" % sorted(want ^ got)[:6]
    d = case["dir"]
    out = os.path.join(d, "output.f32")
    r = subprocess.run([os.path.join(d, "forward"), os.path.join(d, "weights.safetensors"), str(case["n"]),
                        os.path.join(d, "input.f32"), out], capture_output=True, text=True)
    if r.returncode != 0:
        return "forward failed: " + r.stderr.strip()
    got = np.fromfile(out, dtype="<f4")
    want = case["expected"].astype(np.float32).reshape(-1)
    if got.size != want.size:
        return "%d output values, expected %d" % (got.size, want.size)
    bad = np.abs(got - want) > ATOL + RTOL * np.abs(want)
    if bad.any():
        i = int(np.argmax(np.abs(got - want)))
        return "%d of %d values differ; worst at %d: %.7g, expected %.7g" % (bad.sum(), want.size, i, got[i], want[i])
    return None


def attempt(case, args):
    try:
        refused = build(case, args)
        return ("refused", refused) if refused else ("run", run(case))
    except Exception as e:  # a compile error or a crash is this test's failure, not the suite's
        return ("run", str(e))


def main():
    p = argparse.ArgumentParser()
    for a in ("data", "work"):
        p.add_argument(a)
    for a in ("--cc", "--cflags", "--lib", "--ldlibs"):
        p.add_argument(a, required=True)
    p.add_argument("--lua", default="lua5.4")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    if not os.path.isdir(args.data):
        print("ok - onnx node tests # SKIP %s is missing (Debian package libonnx-testdata)" % args.data)
        return 0
    lines, bad_ok = bad_models.run(os.path.join(args.work, "bad_models"))
    print("\n".join(lines))
    with open(os.path.join(HERE, "refused.txt")) as f:
        listed = {line.split()[0] for line in f if line.strip() and not line.startswith("#")}
    results, cases = {}, []
    for name in selected(args.data):
        refusal, case = prepare(args.data, args.work, name)
        if refusal:
            results[name] = ("refused", refusal)
        else:
            cases.append(case)
    extra, why = torch_cases.cases(args.work, import_model, Refusal)
    if why:
        print("ok - onnx torch round trip # SKIP %s" % why)
    for case in extra:
        if "refused" in case:
            results[case["name"]] = ("refused", "importer: " + case["refused"])
        else:
            cases.append(case)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for case, result in zip(cases, pool.map(lambda c: attempt(c, args), cases)):
            results[case["name"]] = result
    return report(results, listed) or (0 if bad_ok else 1)


def report(results, listed):
    fail, counts = 0, {"passed": 0, "failed": 0, "refused": 0}
    for name in sorted(results):
        kind, why = results[name]
        if kind == "refused" and name in listed:
            counts["refused"] += 1
            print("ok - onnx %s # SKIP refused by the %s" % (name, why))
        elif kind == "refused":
            counts["failed"] += 1
            print("not ok - onnx %s: refused but not in tests/onnx/refused.txt: %s" % (name, why))
        elif name in listed:
            counts["failed"] += 1
            print("not ok - onnx %s: imports now (%s); remove it from tests/onnx/refused.txt"
                  % (name, why or "and passes"))
        elif why:
            counts["failed"] += 1
            print("not ok - onnx %s: %s" % (name, why))
        else:
            counts["passed"] += 1
            print("ok - onnx %s" % name)
        fail |= why is not None and not (kind == "refused" and name in listed)
    print("# onnx node tests: %(passed)d passed, %(failed)d failed, %(refused)d refused" % counts, file=sys.stderr)
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
