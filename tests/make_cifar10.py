#!/usr/bin/python3
"""Writes a small synthetic data set in the CIFAR-10 binary format
(data_batch_1.bin, test_batch.bin: records of a label byte and 3072
channel-planar pixel bytes), so trainers can be run where CIFAR-10 itself
cannot be downloaded. Class k is a bright 8x8 square whose colour and place
depend on k, over noise.

usage: tests/make_cifar10.py DIR [--train N] [--test N] [--seed S]"""
import argparse
import os
import random


def record(label, rng):
    top, left = 4 + 8 * (label % 3), 4 + 8 * (label // 3 % 3)
    pixels = bytearray()
    for c in range(3):
        for h in range(32):
            for w in range(32):
                inside = top <= h < top + 8 and left <= w < left + 8
                bright = inside and (label == 9 or c == label % 3 or label > 5)
                pixels.append(150 + rng.randrange(100) if bright else rng.randrange(100))
    return bytes([label]) + bytes(pixels)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--train", type=int, default=320)
    ap.add_argument("--test", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    for name, count in (("data_batch_1.bin", args.train), ("test_batch.bin", args.test)):
        with open(os.path.join(args.dir, name), "wb") as f:
            for i in range(count):
                f.write(record(i % 10, rng))
    print(f"{args.dir}: data_batch_1.bin ({args.train} images), test_batch.bin ({args.test} images)")


if __name__ == "__main__":
    main()
