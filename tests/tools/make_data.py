#!/usr/bin/python3
"""Writes the data sets the data tests and README examples train on, into a
directory, each seeded so that a run is reproducible:

  signals DIR       signals.npz: 5 classes of 7-channel signals, 500 steps
  shapes DIR        train/ and test/ PNG folders: circles and squares, 128x128
  tabular DIR       train.csv, test.csv: 8 features, one real target
                    (--outliers F: that fraction of training targets corrupted)
  multilabel DIR    x_train.npy ... y_test.npy: 32x32 images, 4 K-hot labels
  fashion DIR       Fashion-MNIST (from its IDX files) as fashion.npz, as
                    x_train.npy ... y_test.npy and as PNG folders
                    train/N_name/ and test/N_name/ (--limit N: the first N)
"""
import argparse
import gzip
import os

import numpy as np
from PIL import Image, ImageDraw


def signals(out, rng, n_train=1000, n_test=250):
    def make(n):
        y = rng.integers(0, 5, n)
        t = np.arange(500) / 100.0
        phase = rng.uniform(0, 2 * np.pi, (n, 7, 1))
        freq = (1.0 + y)[:, None, None]
        x = np.sin(2 * np.pi * freq * t[None, None, :] + phase) + rng.normal(0, 0.5, (n, 7, 500))
        return x.astype(np.float32), y.astype(np.int64)
    x_train, y_train = make(n_train)
    x_test, y_test = make(n_test)
    np.savez_compressed(os.path.join(out, "signals.npz"), x_train=x_train, y_train=y_train, x_test=x_test,
                        y_test=y_test)


def shape_image(rng, square):
    img = Image.new("L", (128, 128), 0)
    draw = ImageDraw.Draw(img)
    r = int(rng.integers(20, 40))
    cx, cy = (int(v) for v in rng.integers(r + 2, 126 - r, 2))
    box = [cx - r, cy - r, cx + r, cy + r]
    (draw.rectangle if square else draw.ellipse)(box, fill=int(rng.integers(150, 255)))
    noisy = np.asarray(img, dtype=np.float64) + rng.normal(0, 25, (128, 128))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def shapes(out, rng, n_train=1000, n_test=200):
    for split, n in (("train", n_train), ("test", n_test)):
        for name in ("circle", "square"):
            os.makedirs(os.path.join(out, split, name), exist_ok=True)
        for i in range(n):
            square = i % 2 == 1
            path = os.path.join(out, split, "square" if square else "circle", f"{i:04d}.png")
            shape_image(rng, square).save(path)


def tabular(out, rng, outliers, n_train=2000, n_test=500):
    w = rng.normal(0, 1, 8)
    def make(n):
        x = rng.uniform(-1, 1, (n, 8))
        y = x @ w + 0.5 * np.sin(3 * x[:, 0]) + rng.normal(0, 0.05, n)
        return x, y
    def write(path, x, y):
        header = ",".join([f"f{j}" for j in range(8)] + ["target"])
        np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt="%.9g")
    x, y = make(n_train)
    if outliers > 0:
        bad = rng.random(n_train) < outliers
        y = np.where(bad, y + rng.choice([-1, 1], n_train) * rng.uniform(20, 40, n_train), y)
    write(os.path.join(out, "train.csv"), x, y)
    write(os.path.join(out, "test.csv"), *make(n_test))


def multilabel(out, rng, n_train=1500, n_test=300):
    def make(n):
        y = (rng.random((n, 4)) < 0.5).astype(np.uint8)
        x = rng.normal(60, 35, (n, 32, 32))
        for i in range(n):  # label k: a faint square somewhere in quadrant k
            for k in np.flatnonzero(y[i]):
                side = int(rng.integers(5, 9))
                top, left = (int(v) for v in 16 * np.array([k // 2, k % 2]) + rng.integers(0, 16 - side, 2))
                x[i, top:top + side, left:left + side] += 45
        return np.clip(x, 0, 255).astype(np.uint8), y
    for split, n in (("train", n_train), ("test", n_test)):
        x, y = make(n)
        np.save(os.path.join(out, f"x_{split}.npy"), x)
        np.save(os.path.join(out, f"y_{split}.npy"), y)


FASHION = "/usr/share/datasets/fashion-mnist"
FASHION_NAMES = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]


def read_idx(name):
    path = os.path.join(FASHION, name)
    opener = gzip.open if not os.path.exists(path) else open
    with opener(path if os.path.exists(path) else path + ".gz", "rb") as f:
        data = f.read()
    ndims = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndims).reshape(dims)


def fashion(out, limit):
    arrays = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        x = read_idx(f"{prefix}-images-idx3-ubyte")[:limit]
        y = read_idx(f"{prefix}-labels-idx1-ubyte")[:limit]
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x, y
        for k, name in enumerate(FASHION_NAMES):
            os.makedirs(os.path.join(out, split, f"{k}_{name}"), exist_ok=True)
        for i in range(len(y)):
            Image.fromarray(x[i]).save(os.path.join(out, split, f"{y[i]}_{FASHION_NAMES[y[i]]}", f"{i:05d}.png"))
    np.savez(os.path.join(out, "fashion.npz"), **arrays)
    for name, a in arrays.items():
        np.save(os.path.join(out, name + ".npy"), a)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["signals", "shapes", "tabular", "multilabel", "fashion"])
    p.add_argument("dir")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--outliers", type=float, default=0.0)
    p.add_argument("--limit", type=int, default=None)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    if a.kind == "tabular":
        tabular(a.dir, rng, a.outliers)
    elif a.kind == "fashion":
        fashion(a.dir, a.limit)
    else:
        globals()[a.kind](a.dir, rng)


if __name__ == "__main__":
    main()
