#!/usr/bin/python3
"""Converts checkpoints between this project's safetensors files and PyTorch.

  convert_torch.py to-torch CKPT.safetensors OUT.pt
      Writes the weights and buffers as a PyTorch state_dict (torch.save):
      the names are already PyTorch's; optimizer.* tensors are left out and
      every BatchNorm gets the num_batches_tracked PyTorch expects. Load it
      with model.load_state_dict(torch.load("OUT.pt")).

  convert_torch.py from-torch IN.pt OUT.safetensors [--spec NAME] [--mean A,B,C --std A,B,C]
      Writes a state_dict (or a dict holding one under "state_dict" or
      "model") as a weights-only checkpoint for --init, --eval, --predict or
      --teacher: float32 tensors under the same names, num_batches_tracked
      dropped. --mean/--std record the input normalization the weights were
      trained with (needed by --eval, --predict and --teacher).

The safetensors layout: an 8-byte little-endian header length, a JSON header
(dtype, shape, data_offsets per tensor; "__metadata__" of strings), then the
raw little-endian data. Needs /usr/bin/python3 with torch (python3-torch).
"""
import argparse
import json
import struct
import sys

try:
    import torch
except ImportError:
    sys.exit("convert_torch.py: needs PyTorch (apt-get install python3-torch)")


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        sys.exit("%s: too short for a safetensors file" % path)
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        sys.exit("%s: header length beyond the end of the file" % path)
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            sys.exit("%s: tensor %s is %s; only F32 is written here" % (path, name, info["dtype"]))
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


def to_torch(src, dst):
    tensors, meta = read_safetensors(src)
    steps = int(meta.get("optimizer_step", "0"))
    state = {}
    for name, t in tensors.items():
        if name.startswith("optimizer."):
            continue
        state[name] = t
        if name.endswith(".running_var"):
            state[name[:-len("running_var")] + "num_batches_tracked"] = torch.tensor(steps, dtype=torch.long)
    torch.save(state, dst)
    print("%s: %d tensors of %s -> %s" % (src, len(state), meta.get("spec", "?"), dst))


def from_torch(src, dst, spec, mean, std):
    state = torch.load(src, map_location="cpu")
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    tensors = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    meta = {"source": src}
    if spec:
        meta["spec"] = spec
    if mean or std:
        if not (mean and std) or len(mean.split(",")) != len(std.split(",")):
            sys.exit("convert_torch.py: --mean and --std go together, one value per channel each")
        meta["mean"], meta["std"] = mean, std
    write_safetensors(dst, tensors, meta)
    print("%s: %d tensors -> %s" % (src, len(tensors), dst))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("to-torch")
    a.add_argument("src")
    a.add_argument("dst")
    b = sub.add_parser("from-torch")
    b.add_argument("src")
    b.add_argument("dst")
    b.add_argument("--spec")
    b.add_argument("--mean")
    b.add_argument("--std")
    args = p.parse_args()
    if args.command == "to-torch":
        to_torch(args.src, args.dst)
    else:
        from_torch(args.src, args.dst, args.spec, args.mean, args.std)


if __name__ == "__main__":
    main()
