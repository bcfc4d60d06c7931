#!/usr/bin/python3
"""PyTorch's bilinear resize, the reference of tests/test_interpolate.c.

  interpolate_reference.py IN OUT C H W OH OW

IN holds C x H x W float32 values (native order); OUT gets C x OH x OW, from
F.interpolate(x, size=(OH, OW), mode='bilinear', align_corners=False,
antialias=False) in float32. Exit status 77 when torch is not installed.
"""
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit(77)

src, dst = sys.argv[1], sys.argv[2]
c, h, w, oh, ow = (int(v) for v in sys.argv[3:8])
with open(src, "rb") as f:
    x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(1, c, h, w)
y = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False, antialias=False)
with open(dst, "wb") as f:
    f.write(y.contiguous().numpy().tobytes())
