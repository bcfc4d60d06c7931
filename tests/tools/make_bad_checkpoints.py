#!/usr/bin/python3
"""Writes crafted checkpoints into DIR: TRAINER (the mlp_batch8 test trainer)
trains one epoch on a small IDX data set written into DIR/data and saves a
valid checkpoint, which each case then patches into DIR/NAME/last.safetensors
(a directory or a FIFO for two of them). DIR/cases.tsv has a line per case:
its name, how the trainer is given the file (resume or eval), whether the
loader alone refuses it (file) or only the run does (run: the file is sound,
but cannot resume this run), and the text its one-line error must contain.
tests/test_bad_checkpoints.c runs them all.

usage: make_bad_checkpoints.py TRAINER DIR"""
import json
import os
import random
import struct
import subprocess
import sys

TRAINER, ROOT = sys.argv[1], sys.argv[2]
CASES = []


def write_idx(prefix, n, rng):
    with open(prefix + "-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + bytes(rng.randrange(256) for _ in range(n * 784)))
    with open(prefix + "-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(rng.randrange(10) for _ in range(n)))


def good_checkpoint():
    data = os.path.join(ROOT, "data")
    os.makedirs(data, exist_ok=True)
    rng = random.Random(1)
    write_idx(os.path.join(data, "train"), 64, rng)
    write_idx(os.path.join(data, "t10k"), 16, rng)
    run = os.path.join(ROOT, "good_run")
    subprocess.run([TRAINER, "--data", data, "--epochs", "1", "--threads", "1", "--save", run], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(run, "last.safetensors")


class Checkpoint:
    """A checkpoint as lists, so that a case can repeat a key or break the order."""

    def __init__(self, path):
        blob = open(path, "rb").read()
        (n,) = struct.unpack("<Q", blob[:8])
        header = json.loads(blob[8:8 + n], object_pairs_hook=list)
        self.meta = [list(kv) for kv in dict(header)["__metadata__"]]
        self.tensors = [[name, dict(info)] for name, info in header if name != "__metadata__"]
        self.data = bytearray(blob[8 + n:])
        self.tail = b""  # bytes after the header's closing brace, before the padding

    def get(self, name):
        return next(info for n, info in self.tensors if n == name)

    def set_meta(self, key, value):
        for kv in self.meta:
            if kv[0] == key:
                kv[1] = value
                return
        self.meta.append([key, value])

    def drop_meta(self, key):
        self.meta = [kv for kv in self.meta if kv[0] != key]

    def set_value(self, name, index, value):
        begin = self.get(name)["data_offsets"][0]
        struct.pack_into("<f", self.data, begin + 4 * index, value)

    def header(self):
        members = ['"__metadata__":{%s}' % ",".join("%s:%s" % (json.dumps(k), json.dumps(v)) for k, v in self.meta)]
        members += ["%s:%s" % (json.dumps(n), json.dumps(info, separators=(",", ":"))) for n, info in self.tensors]
        text = ("{" + ",".join(members) + "}").encode() + self.tail
        return text + b" " * (-len(text) % 8)

    def write(self, path, header_length=None):
        text = self.header()
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text) if header_length is None else header_length) + text + self.data)


def case(name, mode, level, expected):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    CASES.append((name, mode, level, expected))
    return os.path.join(d, "last.safetensors")


def patched(name, mode, level, expected, patch, **write_args):
    c = Checkpoint(GOOD)
    patch(c)
    c.write(case(name, mode, level, expected), **write_args)


def shift_after(c, offset, by):
    """Moves the tensors that start at offset or later by `by` bytes."""
    for _, info in c.tensors:
        if info["data_offsets"][0] >= offset:
            info["data_offsets"] = [o + by for o in info["data_offsets"]]


def add_extra_tensors(c, n):
    end = len(c.data)
    c.tensors += [["extra.%d" % i, {"dtype": "F32", "shape": [0], "data_offsets": [end, end]}] for i in range(n)]


def add_fields(c, n):
    for i in range(n):
        c.set_meta("note_%d" % i, "x")


GOOD = good_checkpoint()
INT_RULE = "must be an integer in [%d, %d], got \"%s\""
EPOCH, STEP = (1, 1000000), (1, 1000000000000000)
MISSING = "is missing (a weights-only file cannot resume training)"
RNG_RULE = "must be 64 hex digits, not all zero (an RNG state), got"

# sound files: the run and the test set take them
patched("good", "resume", "sound", "resumed from", lambda c: None)
patched("good_eval", "eval", "sound", "test: loss", lambda c: None)

# metadata: every field the runtime writes
patched("epoch_text", "resume", "file", "field 'epoch': " + INT_RULE % (*EPOCH, "abc"),
        lambda c: c.set_meta("epoch", "abc"))
patched("epoch_negative", "resume", "file", "field 'epoch': " + INT_RULE % (*EPOCH, "-5"),
        lambda c: c.set_meta("epoch", "-5"))
patched("epoch_int_max", "resume", "file", "field 'epoch': " + INT_RULE % (*EPOCH, "2147483647"),
        lambda c: c.set_meta("epoch", "2147483647"))
patched("epoch_zero", "resume", "file", "field 'epoch': " + INT_RULE % (*EPOCH, "0"),
        lambda c: c.set_meta("epoch", "0"))
patched("epoch_missing", "resume", "run", "field 'epoch' " + MISSING, lambda c: c.drop_meta("epoch"))
patched("step_long_max", "resume", "file", "field 'step': " + INT_RULE % (*STEP, "9223372036854775807"),
        lambda c: c.set_meta("step", "9223372036854775807"))
patched("step_fraction", "resume", "file", "field 'step': " + INT_RULE % (*STEP, "8.5"),
        lambda c: c.set_meta("step", "8.5"))
patched("step_below_epoch", "resume", "file", "field 'step': 8 updates cannot make 9 epochs",
        lambda c: c.set_meta("epoch", "9"))
patched("optimizer_step_differs", "resume", "file", "field 'optimizer_step': 9, but field 'step' is 8",
        lambda c: c.set_meta("optimizer_step", "9"))
patched("optimizer_step_missing", "resume", "run", "field 'optimizer_step' " + MISSING,
        lambda c: c.drop_meta("optimizer_step"))
patched("optimizer_unknown", "resume", "file", "field 'optimizer': must be one of sgd, adam, adamw, got \"rmsprop\"",
        lambda c: c.set_meta("optimizer", "rmsprop"))
patched("optimizer_other", "resume", "run", "field 'optimizer': a checkpoint of an sgd run; this run uses adam",
        lambda c: c.set_meta("optimizer", "sgd"))
patched("spec_other", "resume", "run", "field 'spec': a checkpoint of cifar_small; this trainer is for mlp_batch8",
        lambda c: c.set_meta("spec", "cifar_small"))
patched("spec_missing", "resume", "run", "field 'spec' " + MISSING, lambda c: c.drop_meta("spec"))
patched("best_val_nan", "resume", "file", "field 'best_val': must be a finite number, got \"nan\"",
        lambda c: c.set_meta("best_val", "nan"))
patched("mean_text", "eval", "file",
        "field 'mean': must be 1 to 64 finite numbers separated by commas, got \"abc\"",
        lambda c: c.set_meta("mean", "abc"))
patched("std_zero", "eval", "file",
        "field 'std': must be 1 to 64 finite positive numbers separated by commas, got \"0\"",
        lambda c: c.set_meta("std", "0"))
patched("std_infinite", "resume", "file",
        "field 'std': must be 1 to 64 finite positive numbers separated by commas, got \"inf\"",
        lambda c: c.set_meta("std", "inf"))
patched("std_count", "eval", "file", "field 'std': 2 values, but field 'mean' has 1",
        lambda c: c.set_meta("std", "0.3,0.3"))
patched("mean_channels", "eval", "run", "field 'mean': 2 values, but the inputs have 1 channel",
        lambda c: (c.set_meta("mean", "0.5,0.5"), c.set_meta("std", "0.3,0.3")))
patched("classes_empty_name", "resume", "file",
        "field 'classes': must be names separated by commas, none empty, got \"a,,b\"",
        lambda c: c.set_meta("classes", "a,,b"))
patched("rng_zero", "resume", "file", "field 'rng_shuffle': %s \"%s\"" % (RNG_RULE, "0" * 64),
        lambda c: c.set_meta("rng_shuffle", "0" * 64))
patched("rng_short", "resume", "file", "field 'rng_model': " + RNG_RULE,
        lambda c: c.set_meta("rng_model", "1" * 63))
patched("rng_signed", "resume", "file", "field 'rng_augment': %s \"-%s\"" % (RNG_RULE, "1" * 63),
        lambda c: c.set_meta("rng_augment", "-" + "1" * 63))
patched("rng_missing", "resume", "run", "field 'rng_augment' " + MISSING, lambda c: c.drop_meta("rng_augment"))
patched("field_twice", "resume", "file", "field 'epoch' appears twice", lambda c: c.meta.append(["epoch", "1"]))
patched("field_too_long", "resume", "file", "field 'classes' is longer than 1099 characters",
        lambda c: c.set_meta("classes", "a" * 1200))
patched("too_many_fields", "resume", "file", "more than 24 metadata fields besides format", lambda c: add_fields(c, 15))

# a checkpoint saved mid-epoch (a signal stopped the run): epoch 2, 3 of its 8 updates made
def mid_epoch(c, updates="3", records="24", correct="5", step="11"):
    for key, value in (("epoch", "2"), ("step", step), ("optimizer_step", step), ("epoch_updates", updates),
                       ("epoch_records", records), ("epoch_correct", correct), ("epoch_loss_sum", "55.25")):
        c.set_meta(key, value)


patched("good_mid_epoch", "resume", "sound", "resumed from", mid_epoch)
patched("progress_partial", "resume", "file",
        "field 'epoch_records' is missing (a checkpoint saved mid-epoch has epoch_updates, epoch_records, "
        "epoch_correct and epoch_loss_sum)", lambda c: c.set_meta("epoch_updates", "3"))
patched("progress_updates_zero", "resume", "file", "field 'epoch_updates': " + INT_RULE % (*STEP, "0"),
        lambda c: mid_epoch(c, updates="0"))
patched("progress_loss_nan", "resume", "file", "field 'epoch_loss_sum': must be a finite number, got \"nan\"",
        lambda c: (mid_epoch(c), c.set_meta("epoch_loss_sum", "nan")))
patched("progress_correct_above_records", "resume", "file", "field 'epoch_correct': 25 hits in 24 records",
        lambda c: mid_epoch(c, correct="25"))
patched("progress_beyond_step", "resume", "file",
        "field 'step': 3 updates cannot reach update 3 of epoch 2 (field 'epoch_updates')",
        lambda c: mid_epoch(c, step="3"))
patched("progress_beyond_epoch", "resume", "run", "field 'epoch_updates': 8 updates into epoch 2, but an epoch of "
        "this run has 8", lambda c: mid_epoch(c, updates="8", records="58", step="16"))

# the header and the offsets
patched("offsets_overlap", "resume", "file",
        "tensors 1.weight and 1.bias overlap: data_offsets [0, 100352] and [100348, 100476]",
        lambda c: c.get("1.bias").update(data_offsets=[100348, 100476]))
patched("offsets_shared", "eval", "file", "overlap: data_offsets [101760, 101800] and [101760, 101800]",
        lambda c: c.get("optimizer.m.3.bias").update(data_offsets=[101760, 101800]))
patched("offsets_gap", "resume", "file", "data bytes [100352, 100356) belong to no tensor",
        lambda c: (shift_after(c, 100352, 4), c.data.__setitem__(slice(100352, 100352), bytes(4))))
patched("offsets_wrong_size", "resume", "file",
        "tensor 3.bias: data_offsets [101760, 101796] do not fit its shape (40 bytes of F32)",
        lambda c: c.get("3.bias").update(data_offsets=[101760, 101796]))
patched("data_truncated", "resume", "file", "the header describes 305400 data bytes but the file holds 305396",
        lambda c: c.data.__delitem__(slice(-4, None)))
patched("header_length_beyond", "resume", "file", "header length beyond the end of the file", lambda c: None,
        header_length=1 << 40)
patched("header_trailing_text", "resume", "file", "malformed safetensors header at byte",
        lambda c: setattr(c, "tail", b"x"))
patched("dtype_f64", "eval", "file", "tensor 3.bias has dtype F64; this model is F32",
        lambda c: c.get("3.bias").update(dtype="F64"))
patched("tensor_twice", "eval", "file", "tensor 3.bias appears twice",
        lambda c: c.tensors.append(["3.bias", dict(c.get("3.bias"))]))
patched("tensor_foreign", "eval", "file", "tensor optimizer.v.9.bias is not in model mlp_batch8",
        lambda c: c.tensors[-1].__setitem__(0, "optimizer.v.9.bias"))
patched("tensor_count", "resume", "file", "holds 5012 tensors; model mlp_batch8 has 4, and 12 with its optimizer state",
        lambda c: add_extra_tensors(c, 5000))

# the values
patched("nan_weight", "resume", "file", "tensor 1.weight: element 5 is NaN",
        lambda c: c.set_value("1.weight", 5, float("nan")))
patched("nan_weight_eval", "eval", "file", "tensor 3.weight: element 0 is NaN",
        lambda c: c.set_value("3.weight", 0, float("nan")))
patched("infinite_bias_eval", "eval", "file", "tensor 3.bias: element 2 is infinite",
        lambda c: c.set_value("3.bias", 2, float("-inf")))
patched("nan_momentum", "resume", "file", "tensor optimizer.m.1.bias: element 31 is NaN",
        lambda c: c.set_value("optimizer.m.1.bias", 31, float("nan")))
patched("negative_second_moment", "resume", "file",
        "tensor optimizer.v.3.weight: element 7 is -1, but a second moment is never negative",
        lambda c: c.set_value("optimizer.v.3.weight", 7, -1.0))

# not files
os.makedirs(case("directory", "resume", "file", "a directory, not a file"))
os.mkfifo(case("fifo", "eval", "file", "not a regular file (a FIFO, socket or device)"))

with open(os.path.join(ROOT, "cases.tsv"), "w") as f:
    for row in CASES:
        f.write("\t".join(row) + "\n")
print("%d cases in %s" % (len(CASES), ROOT))
