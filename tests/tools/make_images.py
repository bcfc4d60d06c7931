#!/usr/bin/python3
"""Writes the PNG and JPEG files of tests/test_image.c and what PIL makes of
them, as torchvision's loader does: Image.open(p).convert('L' or 'RGB')
.resize((W, H), Image.BILINEAR), saved channel-planar (C x H x W bytes).

usage: tests/tools/make_images.py DIR
DIR/cases.txt lists one comparison a line: FILE CHANNELS HEIGHT WIDTH EXPECTED.
16-bit and interlaced PNGs are written by hand (PIL writes neither); PIL
reads a 16-bit gray PNG as mode I and clips it to 255 in convert('L'), so
that file's expected pixels are its high bytes, as for 16-bit RGB."""
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

W, H = 23, 17
SIZES = [(H, W), (7, 11), (12, 16), (31, 40), (30, 9), (1, 1)]


def pattern(channels, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:H, 0:W]
    planes = [(x * 11 + y * 5 + 60 * c) % 256 for c in range(channels)]
    a = np.stack(planes, axis=-1) + rng.integers(-40, 40, size=(H, W, channels))
    return np.clip(a, 0, 255).astype(np.uint8)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(path, a, depth, interlace=False):
    """a: H x W x C (C 1 or 3) of uint8 or uint16, filter type 0 rows."""
    color = {1: 0, 3: 2}[a.shape[2]]
    ihdr = struct.pack(">IIBBBBB", a.shape[1], a.shape[0], depth, color, 0, 0, 1 if interlace else 0)
    a = a.astype(">u2") if depth == 16 else a
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes if interlace else [(0, 0, 1, 1)]:
        sub = a[y0::dy, x0::dx]
        if sub.size:
            raw += b"".join(b"\0" + row.tobytes() for row in sub)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def sources(d):
    """name -> the image PIL's conversions start from (None: PIL opens the file)."""
    rgb, gray = pattern(3, 1), pattern(1, 2)[:, :, 0]
    Image.fromarray(gray, "L").save(f"{d}/gray.png")
    Image.fromarray(rgb, "RGB").save(f"{d}/rgb.png")
    rgba = np.dstack([rgb, pattern(1, 3)])
    Image.fromarray(rgba, "RGBA").save(f"{d}/rgba.png")
    Image.fromarray(np.dstack([gray, gray[::-1]]), "LA").save(f"{d}/la.png")
    Image.fromarray(rgb, "RGB").quantize(64).save(f"{d}/palette.png", transparency=3)
    Image.fromarray(gray > 128).save(f"{d}/bits1.png")
    write_png(f"{d}/interlaced.png", rgb, 8, interlace=True)
    rgb16, gray16 = pattern(3, 4).astype(np.uint16) * 257 + 3, pattern(1, 5).astype(np.uint16) * 250
    write_png(f"{d}/rgb16.png", rgb16, 16)
    write_png(f"{d}/gray16.png", gray16, 16, interlace=True)
    Image.fromarray(gray, "L").save(f"{d}/gray.jpg", quality=90)
    Image.fromarray(rgb, "RGB").save(f"{d}/rgb.jpg", quality=90)
    Image.fromarray(rgb, "RGB").save(f"{d}/progressive.jpg", quality=80, progressive=True)
    Image.fromarray(rgb, "RGB").convert("CMYK").save(f"{d}/cmyk.jpg", quality=90)
    return {"gray16.png": Image.fromarray((gray16[:, :, 0] >> 8).astype(np.uint8), "L")}


def main():
    d = sys.argv[1]
    special = sources(d)
    with open(f"{d}/cases.txt", "w") as cases:
        for name in sorted(f for f in os.listdir(d) if f.endswith((".png", ".jpg"))):
            im = special.get(name) or Image.open(f"{d}/{name}")
            for mode in ("L", "RGB"):
                for h, w in SIZES:
                    out = im.convert(mode).resize((w, h), Image.BILINEAR)
                    a = np.asarray(out).reshape(h, w, -1).transpose(2, 0, 1)
                    expected = f"{name}.{mode}.{h}x{w}.raw"
                    a.tofile(f"{d}/{expected}")
                    cases.write(f"{name} {len(mode)} {h} {w} {expected}\n")


main()
