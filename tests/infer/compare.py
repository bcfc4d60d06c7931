#!/usr/bin/python3
"""Compares an inference library's outputs (tests/infer/run_infer.c: class,
outputs) with the trainer's `--predict --logits` CSV: the same class for every
record (one output: its sign), and every output within TOL of the trainer's, relative to the largest
output magnitude of its record (a logit near 0 has no relative scale of its
own). Exits 1 on the first difference, after saying where.

usage: tests/infer/compare.py PREDICTIONS.csv INFER.csv [TOL]"""
import csv
import sys


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.splitlines()[-1])
    tol = float(sys.argv[3]) if len(sys.argv) == 4 else 1e-5
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    with open(sys.argv[2]) as f:
        ours = [line.strip().split(",") for line in f if line.strip()]
    if len(rows) != len(ours):
        sys.exit(f"compare: {len(rows)} trainer rows, {len(ours)} library rows")
    keys = sorted((k for k in rows[0] if k.startswith("logit_")), key=lambda k: int(k[6:]))
    refs = [[float(row[k]) for k in keys] for row in rows]
    floor = sum(max(abs(v) for v in ref) for ref in refs) / max(len(refs), 1)
    worst = 0.0
    for r, (ref, mine) in enumerate(zip(refs, ours)):
        got = [float(v) for v in mine[1:]]
        top = max(range(len(ref)), key=lambda j: ref[j]) if len(ref) > 1 else int(ref[0] > 0)
        if int(mine[0]) != top:
            sys.exit(f"compare: record {r}: class {mine[0]}, the trainer's {top}")
        scale = max(max(abs(v) for v in ref), floor) or 1.0
        err = max(abs(a - b) for a, b in zip(got, ref)) / scale
        worst = max(worst, err)
        if err > tol:
            sys.exit(f"compare: record {r}: outputs {got} differ from the trainer's {ref} by {err:.3g} (> {tol:g})")
    print(f"compare: {len(rows)} records, same classes, largest relative difference {worst:.3g}")


if __name__ == "__main__":
    main()
