#!/usr/bin/python3
"""Writes malformed data files into DIR, one case each, and DIR/cases.tsv:
a line per case with its name, the trainer (a spec name), the trainer's
arguments ({dir} stands for the case's directory) and the text its one-line
error must contain. tests/test_bad_data.c runs them all."""
import gzip
import io
import os
import sys
import zipfile

import numpy as np
from PIL import Image

ROOT = sys.argv[1]
CASES = []


def case(name, trainer, args, expected):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    CASES.append((name, trainer, args, expected))
    return d


def npy_bytes(a):
    f = io.BytesIO()
    np.save(f, a)
    return f.getvalue()


def signals(n=20, steps=500, labels=None, dtype=np.float32):
    x = np.zeros((n, 7, steps), dtype)
    y = np.arange(n) % 5 if labels is None else labels
    return x, np.asarray(y)


def savez(d, **arrays):
    np.savez(os.path.join(d, "data.npz"), **arrays)


# NumPy files
x, y = signals()
d = case("npy_header_lies", "signal_conv1d", "--data {dir}",
         "x_train.npy: truncated array: the shape needs 560000 bytes of data, 280000 present")
raw = npy_bytes(x).replace(b"(20, 7, 500)", b"(40, 7, 500)")
open(os.path.join(d, "x_train.npy"), "wb").write(raw)
np.save(os.path.join(d, "y_train.npy"), y)

d = case("npy_truncated", "signal_conv1d", "--data {dir}", "x_train.npy: truncated array")
open(os.path.join(d, "x_train.npy"), "wb").write(npy_bytes(x)[:-100])
np.save(os.path.join(d, "y_train.npy"), y)

d = case("npy_string_dtype", "signal_conv1d", "--data {dir}", "y_train.npy: unsupported dtype '<U1'")
np.save(os.path.join(d, "x_train.npy"), x)
np.save(os.path.join(d, "y_train.npy"), np.array(["a"] * 20))

d = case("npy_complex_dtype", "signal_conv1d", "--data {dir}", "x_train.npy: unsupported dtype '<c8'")
np.save(os.path.join(d, "x_train.npy"), x.astype(np.complex64))
np.save(os.path.join(d, "y_train.npy"), y)

d = case("npy_not_numpy", "signal_conv1d", "--data {dir}", "x_train.npy: bad magic (not a .npy file)")
open(os.path.join(d, "x_train.npy"), "w").write("x,y\n1,2\n")
np.save(os.path.join(d, "y_train.npy"), y)

d = case("npz_nan_input", "signal_conv1d", "--data {dir}/data.npz", "data.npz: x_train: record 3: an input is NaN")
xn = x.copy()
xn[3, 2, 100] = np.nan
savez(d, x_train=xn, y_train=y)

d = case("npz_inf_target", "regression_mlp", "--data {dir}/data.npz", "y_train: record 4: target inf is not a finite")
yr = np.zeros(10, np.float64)
yr[4] = np.inf
savez(d, x_train=np.zeros((10, 8), np.float32), y_train=yr)

d = case("npz_member_not_npy", "signal_conv1d", "--data {dir}/data.npz",
         "data.npz: member notes.txt is not a .npy array")
with zipfile.ZipFile(os.path.join(d, "data.npz"), "w") as z:
    z.writestr("x_train.npy", npy_bytes(x))
    z.writestr("y_train.npy", npy_bytes(y))
    z.writestr("notes.txt", "not an array")

d = case("npz_missing_labels", "signal_conv1d", "--data {dir}/data.npz", "data.npz: no array y_train")
savez(d, x_train=x)

d = case("npz_corrupt_member", "signal_conv1d", "--data {dir}/data.npz", "data.npz")
savez(d, x_train=x, y_train=y)
np.savez_compressed(os.path.join(d, "data.npz"), x_train=x, y_train=y)
raw = bytearray(open(os.path.join(d, "data.npz"), "rb").read())
raw[200] ^= 0xFF
open(os.path.join(d, "data.npz"), "wb").write(bytes(raw))

d = case("label_out_of_range", "signal_conv1d", "--data {dir}/data.npz",
         "y_train: record 7: label 5, but the model has 5 outputs")
yl = y.copy()
yl[7] = 5
savez(d, x_train=x, y_train=yl)

d = case("float_label_for_classes", "signal_conv1d", "--data {dir}/data.npz",
         "y_train: record 2: label 2.5 is not a class index")
savez(d, x_train=x, y_train=np.array([0, 1, 2.5] + [0] * 17))

d = case("fewer_targets_than_inputs", "signal_conv1d", "--data {dir}/data.npz", "y_train: 15 targets for 20 inputs")
savez(d, x_train=x, y_train=y[:15])

d = case("target_shape_mismatch", "multilabel_cnn", "--data {dir}/data.npz",
         "y_train: 3 target values per record, but multi-label classification with 4 outputs takes 4")
savez(d, x_train=np.zeros((10, 32, 32), np.uint8), y_train=np.zeros((10, 3), np.uint8))

d = case("multilabel_not_binary", "multilabel_cnn", "--data {dir}/data.npz", "record 1: label 2 is not 0 or 1")
yk = np.zeros((10, 4), np.uint8)
yk[1, 2] = 2
savez(d, x_train=np.zeros((10, 32, 32), np.uint8), y_train=yk)

d = case("npz_empty_test_set", "signal_conv1d", "--data {dir}/data.npz",
         "data.npz: x_test: 0 records: the test set is empty")
savez(d, x_train=x, y_train=y, x_test=x[:0], y_test=y[:0])

d = case("input_shape_mismatch", "signal_conv1d", "--data {dir}/data.npz",
         "x_train: inputs are [20, 7, 400] (2800 values per record), but model signal_conv1d takes 7x500")
savez(d, x_train=signals(steps=400)[0], y_train=y)

# CSV files
HEADER = "f0,f1,f2,f3,f4,f5,f6,f7,target\n"
ROW = "1,2,3,4,5,6,7,8,9\n"
for name, text, expected in [
    ("csv_ragged_row", HEADER + ROW + "1,2,3\n", "train.csv: line 3, column 4 (f3): missing cell (the row has 3 cells, the header 9)"),
    ("csv_text_cell", HEADER + ROW + "1,2,abc,4,5,6,7,8,9\n", "train.csv: line 3, column 3 (f2): 'abc' is not a number"),
    ("csv_empty_cell", HEADER + "1,2,,4,5,6,7,8,9\n", "train.csv: line 2, column 3 (f2): empty cell"),
    ("csv_nan_cell", HEADER + "1,2,nan,4,5,6,7,8,9\n", "train.csv: line 2, column 3 (f2): 'nan' is not a finite number"),
    ("csv_empty_file", "", "train.csv: empty file (expected a header row of column names)"),
    ("csv_header_only", HEADER, "train.csv: no rows after the header"),
]:
    d = case(name, "regression_mlp", "--data {dir}/train.csv", expected)
    open(os.path.join(d, "train.csv"), "w").write(text)

d = case("csv_missing_target", "regression_mlp", "--data {dir}/train.csv --target price",
         "train.csv: no column 'price'")
open(os.path.join(d, "train.csv"), "w").write(HEADER + ROW * 5)

d = case("csv_too_many_features", "regression_mlp", "--data {dir}/train.csv",
         "train.csv: inputs are [5, 9] (9 values per record), but model regression_mlp takes 8")
open(os.path.join(d, "train.csv"), "w").write("a," + HEADER + ("0," + ROW) * 5)


# Image folders
def png(path, size=8):
    Image.fromarray(np.full((size, size), 100, np.uint8)).save(path)


def image_classes(d, names, count=3):
    for name in names:
        os.makedirs(os.path.join(d, "train", name), exist_ok=True)
        for i in range(count):
            png(os.path.join(d, "train", name, f"{i}.png"))


d = case("png_truncated", "binary_cnn", "--data {dir}", "train/dog/1.png: truncated PNG")
image_classes(d, ["cat", "dog"])
raw = open(os.path.join(d, "train", "dog", "1.png"), "rb").read()
open(os.path.join(d, "train", "dog", "1.png"), "wb").write(raw[:len(raw) // 2])

d = case("jpeg_truncated", "binary_cnn", "--data {dir}", "train/cat/2.jpg: truncated JPEG")
image_classes(d, ["cat", "dog"])
Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64), dtype=np.uint8)).save(
    os.path.join(d, "train", "cat", "2.jpg"), quality=90)
raw = open(os.path.join(d, "train", "cat", "2.jpg"), "rb").read()
open(os.path.join(d, "train", "cat", "2.jpg"), "wb").write(raw[:len(raw) // 2])

d = case("text_named_png", "binary_cnn", "--data {dir}", "train/cat/0.png: not a PNG or JPEG image")
image_classes(d, ["cat", "dog"])
open(os.path.join(d, "train", "cat", "0.png"), "w").write("this is not an image\n")

d = case("empty_class_folder", "binary_cnn", "--data {dir}", "train/dog: no .png/.jpg/.jpeg images")
image_classes(d, ["cat"])
os.makedirs(os.path.join(d, "train", "dog"))

d = case("hidden_files_only", "binary_cnn", "--data {dir}",
         "train/dog: no .png/.jpg/.jpeg images (1 hidden files skipped")
image_classes(d, ["cat"])
os.makedirs(os.path.join(d, "train", "dog"))
png(os.path.join(d, "train", "dog", ".0.png"))

d = case("three_classes_for_binary", "binary_cnn", "--data {dir}",
         "3 classes, but model binary_cnn with binary_cross_entropy takes 2")
image_classes(d, ["cat", "dog", "fox"])


# IDX and CIFAR-10
def idx(path, type_byte, dims, payload):
    with open(path, "wb") as f:
        f.write(bytes([0, 0, type_byte, len(dims)]))
        for v in dims:
            f.write(int(v).to_bytes(4, "big"))
        f.write(payload)


d = case("idx_nan_image", "fmnist_cnn", "--data {dir}", "train-images-idx3-ubyte: record 1: an input is NaN")
pixels = np.zeros((3, 28, 28), ">f4")
pixels[1, 5, 5] = np.nan
idx(os.path.join(d, "train-images-idx3-ubyte"), 0x0D, (3, 28, 28), pixels.tobytes())
idx(os.path.join(d, "train-labels-idx1-ubyte"), 0x08, (3,), bytes([0, 1, 2]))

d = case("idx_unknown_type", "fmnist_cnn", "--data {dir}", "train-images-idx3-ubyte: unknown element type 0x0a")
idx(os.path.join(d, "train-images-idx3-ubyte"), 0x0A, (3, 28, 28), bytes(3 * 784))
idx(os.path.join(d, "train-labels-idx1-ubyte"), 0x08, (3,), bytes([0, 1, 2]))

d = case("idx_empty_test_set", "fmnist_cnn", "--data {dir}", "t10k-images-idx3-ubyte: 0 records: the test set is empty")
for prefix, n in (("train", 3), ("t10k", 0)):
    idx(os.path.join(d, f"{prefix}-images-idx3-ubyte"), 0x08, (n, 28, 28), bytes(n * 784))
    idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte"), 0x08, (n,), bytes(n))

d = case("idx_empty_training_set", "fmnist_cnn", "--data {dir}",
         "train-images-idx3-ubyte: 0 records: the training set is empty")
for prefix, n in (("train", 0), ("t10k", 3)):
    idx(os.path.join(d, f"{prefix}-images-idx3-ubyte"), 0x08, (n, 28, 28), bytes(n * 784))
    idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte"), 0x08, (n,), bytes(n))

d = case("idx_gzip_trailing_garbage", "fmnist_cnn", "--data {dir}",
         "train-images-idx3-ubyte.gz: bytes after the end of the gzip data (not another gzip member)")
images = bytes([0, 0, 0x08, 3]) + b"".join(v.to_bytes(4, "big") for v in (3, 28, 28)) + bytes(3 * 784)
open(os.path.join(d, "train-images-idx3-ubyte.gz"), "wb").write(gzip.compress(images) + b"trailing garbage")
idx(os.path.join(d, "train-labels-idx1-ubyte"), 0x08, (3,), bytes([0, 1, 2]))

d = case("idx_header_exceeds_file", "fmnist_cnn", "--data {dir}",
         "train-images-idx3-ubyte: truncated: header promises 2147483648 data bytes, file has 0")
idx(os.path.join(d, "train-images-idx3-ubyte"), 0x08, (65536, 32768), b"")  # 12 bytes
idx(os.path.join(d, "train-labels-idx1-ubyte"), 0x08, (3,), bytes([0, 1, 2]))

d = case("cifar_bad_label", "cifar_small", "--data {dir}", "data_batch_1.bin: record 1 has label 11")
open(os.path.join(d, "data_batch_1.bin"), "wb").write((bytes([3]) + bytes(3072)) + (bytes([11]) + bytes(3072)))

d = case("cifar_directory", "cifar_small", "--data {dir}", "data_batch_1.bin: a directory, not a file")
os.makedirs(os.path.join(d, "data_batch_1.bin"))

d = case("cifar_truncated", "cifar_small", "--data {dir}", "data_batch_1.bin: 4000 bytes is not a whole number")
open(os.path.join(d, "data_batch_1.bin"), "wb").write(bytes(4000))

# Files that are not regular files: a FIFO would block the reader forever
FIFO = "not a regular file (a FIFO, socket or device)"
d = case("fifo_idx_images", "fmnist_cnn", "--data {dir}", "train-images-idx3-ubyte: " + FIFO)
os.mkfifo(os.path.join(d, "train-images-idx3-ubyte"))
idx(os.path.join(d, "train-labels-idx1-ubyte"), 0x08, (3,), bytes([0, 1, 2]))

d = case("fifo_npz", "signal_conv1d", "--data {dir}/data.npz", "data.npz: " + FIFO)
os.mkfifo(os.path.join(d, "data.npz"))

d = case("fifo_npy", "signal_conv1d", "--data {dir}", "y_train.npy: " + FIFO)
np.save(os.path.join(d, "x_train.npy"), x)
os.mkfifo(os.path.join(d, "y_train.npy"))

d = case("fifo_csv", "regression_mlp", "--data {dir}", "train.csv: " + FIFO)
os.mkfifo(os.path.join(d, "train.csv"))

d = case("fifo_cifar", "cifar_small", "--data {dir}", "data_batch_2.bin: " + FIFO)
open(os.path.join(d, "data_batch_1.bin"), "wb").write(bytes(3073))
os.mkfifo(os.path.join(d, "data_batch_2.bin"))

with open(os.path.join(ROOT, "cases.tsv"), "w") as f:
    for c in CASES:
        f.write("\t".join(c) + "\n")
print(len(CASES), "cases")
