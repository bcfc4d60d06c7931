"""Writes the .npy and .npz files tests/test_npy.c reads, into the directory
given as the only argument: every supported dtype in both byte orders, C and
Fortran order, format versions 1.0, 2.0 and 3.0 (values: value() below, which
the test computes too), npz archives stored, deflated and zip64, and broken
archives."""
import io
import struct
import sys
import zipfile
import zlib

import numpy as np

CODES = ["b1", "u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8"]
SCALE = {1: 37, 2: 1237, 4: 100003, 8: 1000000007}


def value(i, code):
    """Element i (C order) of the test arrays; tests/test_npy.c has the same."""
    kind, size = code[0], int(code[1])
    if kind == "b":
        return i % 3 == 0
    if kind == "f":
        return (i - 7) * 0.25
    u = i * SCALE[size] % 251 if size == 1 else i * SCALE[size]
    return u if kind == "u" else (-1 if i % 2 else 1) * (u % 120 if size == 1 else u)


def test_array(code, order, shape=(2, 3, 4)):
    count = int(np.prod(shape))
    return np.array([value(i, code) for i in range(count)], dtype=np.dtype(order + code)).reshape(shape)


def write_npy_matrix(out):
    for code in CODES:
        orders = "|" if code[1] == "1" else "<>"
        for order in orders:
            for fortran in (False, True):
                a = test_array(code, order)
                if fortran:
                    a = np.asfortranarray(a)
                for major in (1, 2, 3):
                    name = f"{out}/{code}_{'B' if order == '>' else 'L'}_{'F' if fortran else 'C'}_{major}.npy"
                    with open(name, "wb") as f:
                        np.lib.format.write_array(f, a, version=(major, 0))


def write_npz(out):
    arrays = dict(x_train=test_array("f4", "<", (10, 3)), y=test_array("u1", "|", (10,)),
                  f=np.asfortranarray(test_array("i2", ">", (3, 4))), s=np.float64(3.5))
    np.savez(f"{out}/stored.npz", **arrays)
    np.savez_compressed(f"{out}/deflated.npz", **arrays)
    for method, name in ((zipfile.ZIP_STORED, "z64s"), (zipfile.ZIP_DEFLATED, "z64d")):
        with zipfile.ZipFile(f"{out}/{name}.npz", "w", method) as z, z.open("a.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array(f, test_array("i4", "<", (6,)))
    with zipfile.ZipFile(f"{out}/readme.npz", "w") as z:
        z.writestr("README.txt", "not an array")
        z.writestr("a.npy", npy_bytes(test_array("u1", "|", (6,))))
    with zipfile.ZipFile(f"{out}/bzip2.npz", "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("a.npy", npy_bytes(test_array("u1", "|", (6,))))
    with zipfile.ZipFile(f"{out}/bad_member.npz", "w") as z:
        z.writestr("bad.npy", npy_bytes(np.array(["abc", "de"])))


def npy_bytes(a):
    f = io.BytesIO()
    np.lib.format.write_array(f, a)
    return f.getvalue()


def write_zip64_central(out):
    """A stored member whose sizes and offset are only in the central
    directory's zip64 extra field, with a zip64 end record and locator."""
    data = npy_bytes(test_array("i4", "<", (6,)))
    name, crc, big = b"big.npy", zlib.crc32(data), 0xFFFFFFFF
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, big, big, len(name), 20) + name
    local += struct.pack("<HHQQ", 1, 16, len(data), len(data))
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, big, big, len(name), 28,
                          0, 0, 0, 0, big) + name + struct.pack("<HHQQQ", 1, 24, len(data), len(data), 0)
    cd_offset = len(local) + len(data)
    end64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central), cd_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, cd_offset + len(central), 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, big, big, 0)
    with open(f"{out}/zip64_central.npz", "wb") as f:
        f.write(local + data + central + end64 + locator + end)


def write_broken_npz(out):
    with open(f"{out}/deflated.npz", "rb") as f:
        good = f.read()
    with open(f"{out}/truncated.npz", "wb") as f:
        f.write(good[: len(good) // 2])
    central = good.index(b"PK\x01\x02")  # the first member's central directory entry
    patch(out, good, "crc.npz", central + 16, 1)  # its CRC-32
    patch(out, good, "encrypted.npz", central + 8, 1)  # its flags
    patch(out, good, "disks.npz", good.rindex(b"PK\x05\x06") + 4, 1)  # the end record's disk number


def patch(out, good, name, at, flip):
    bad = bytearray(good)
    bad[at] ^= flip
    with open(f"{out}/{name}", "wb") as f:
        f.write(bytes(bad))


if __name__ == "__main__":
    write_npy_matrix(sys.argv[1])
    write_npz(sys.argv[1])
    write_zip64_central(sys.argv[1])
    write_broken_npz(sys.argv[1])
