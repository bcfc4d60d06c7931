#!/usr/bin/python3
"""Checks a generated model against PyTorch.

Builds the same network in torch from the generator's layer list
(`generator/main.lua SPEC --layers`), then
  1. counts parameters (sum of numel) and MACs (forward hooks on every
     Conv/Linear module, from the output shapes torch computes) and compares
     them with the generator's summary, layer by layer and in total;
  2. with --dump: loads the weights, input and target the generated C model
     used (tests/torch/dump_model.c), and compares output, loss, every
     parameter gradient and the input gradient (relative error of each
     tensor's norm, float).
Exit status: 0 all equal, 1 a mismatch (printed), 77 torch is not installed.
"""
import argparse
import json
import struct
import subprocess
import sys

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("torch is not installed: skipped")
    sys.exit(77)

TOLERANCE = 1e-4


class PaddedConv(nn.Module):
    """Conv with explicit, possibly asymmetric padding, keeping weight/bias names."""

    def __init__(self, c, one_d):
        super().__init__()
        cls = nn.Conv1d if one_d else nn.Conv2d
        kernel = c["kw"] if one_d else (c["kh"], c["kw"])
        stride = c["sw"] if one_d else (c["sh"], c["sw"])
        dilation = c.get("dil_w", 1) if one_d else (c.get("dil_h", 1), c.get("dil_w", 1))
        self.conv = cls(c["cin"], c["cout"], kernel, stride=stride, bias=c["bias"], dilation=dilation,
                        groups=c.get("groups", 1))
        self.pad = (c["pl"], c["pr"]) if one_d else (c["pl"], c["pr"], c["pt"], c["pb"])
        self.weight, self.bias = self.conv.weight, self.conv.bias

    def forward(self, x):
        return self.conv(F.pad(x, self.pad))


class PaddedPool(nn.Module):
    """A pool padded per side (ONNX's pads) or by more than half the window, which PyTorch's
    pools refuse: the input padded first (-inf for the max), pooled
    unpadded with PyTorch's ceil_mode, cropped to our output, whose last window never starts in the
    padding; without count_include_pad, the sum over the count of real elements."""

    def __init__(self, p, op, out):
        super().__init__()
        one_d = op == "maxpool1d"
        self.pad = (p["pw"], p["pr"]) if one_d else (p["pw"], p["pr"], p["ph"], p["pb"])
        self.crop = tuple(slice(0, n) for n in out[1:])
        self.op = op
        self.include = p.get("count_include_pad", True)
        if one_d:
            self.pool = nn.MaxPool1d(p["kw"], p["sw"], 0, ceil_mode=p.get("ceil_mode", False))
        else:
            cls = {"maxpool2d": nn.MaxPool2d, "avgpool2d": nn.AvgPool2d}[op]
            self.pool = cls((p["kh"], p["kw"]), (p["sh"], p["sw"]), 0, ceil_mode=p.get("ceil_mode", False))

    def forward(self, x):
        if self.op != "avgpool2d":
            y = self.pool(F.pad(x, self.pad, value=float("-inf")))
        elif self.include:
            y = self.pool(F.pad(x, self.pad))
        else:
            y = self.pool(F.pad(x, self.pad)) / self.pool(F.pad(torch.ones_like(x), self.pad))
        return y[(..., *self.crop)]


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


def build_layer(layer):
    op = layer["op"]
    if op in ("conv2d", "conv1d"):
        return PaddedConv(layer["conv"], op == "conv1d")
    if op == "linear":
        f = layer["fc"]
        return nn.Linear(f["fin"], f["fout"], bias=f["bias"])
    if op in ("maxpool2d", "avgpool2d"):
        p = layer["pool"]
        if (p["ph"], p["pw"]) != (p.get("pb", p["ph"]), p.get("pr", p["pw"])) or \
                2 * p["ph"] > p["kh"] or 2 * p["pw"] > p["kw"]:
            return PaddedPool(p, op, layer["output"])
        args = ((p["kh"], p["kw"]), (p["sh"], p["sw"]), (p["ph"], p["pw"]))
        if op == "maxpool2d":
            return nn.MaxPool2d(*args, ceil_mode=p.get("ceil_mode", False))
        return nn.AvgPool2d(*args, ceil_mode=p.get("ceil_mode", False),
                            count_include_pad=p.get("count_include_pad", True))
    if op == "maxpool1d":
        p = layer["pool"]
        if 2 * p["pw"] > p["kw"] or p.get("pr", p["pw"]) != p["pw"]:
            return PaddedPool(p, op, layer["output"])
        return nn.MaxPool1d(p["kw"], p["sw"], p["pw"], ceil_mode=p.get("ceil_mode", False))
    if op == "batchnorm":
        b = layer["bn"]
        cls = nn.BatchNorm1d if b["vector"] or len(layer["input"]) == 2 else nn.BatchNorm2d
        return cls(b["C"], eps=b["eps"], momentum=b["momentum"])
    if op == "concat":
        return Lambda(lambda *xs: torch.cat(xs, dim=1))
    if op == "add":
        return Lambda(lambda *xs: sum(xs[1:], xs[0]))
    if op in ("dropout", "dropblock"):
        return nn.Identity()  # compared in evaluation mode only: the masks come from another RNG
    simple = {
        "flatten": lambda: nn.Flatten(),
        "relu": lambda: nn.ReLU(),
        "relu6": lambda: nn.ReLU6(),
        "leaky_relu": lambda: nn.LeakyReLU(layer.get("slope", 0.01)),
        "elu": lambda: nn.ELU(layer.get("alpha", 1.0)),
        "sigmoid": lambda: nn.Sigmoid(),
        "tanh": lambda: nn.Tanh(),
        "softmax": lambda: nn.Softmax(dim=1),
        "global_avgpool": lambda: Lambda(lambda x: x.mean(dim=tuple(range(2, x.dim())))),
        "rows_as_sequence": lambda: Lambda(lambda x: x.squeeze(1).transpose(1, 2)),
    }
    return simple[op]()


class Net(nn.Module):
    """Layers registered under their dotted paths, so state_dict names match."""

    def __init__(self, layers):
        super().__init__()
        self.order = []
        self.stateless = nn.ModuleList()  # kept out of the name tree: a container's path may name a parent
        for layer in layers:
            module = build_layer(layer)
            self.order.append((layer, module))
            if not list(module.parameters()) and not list(module.buffers()):
                self.stateless.append(module)
                continue
            *parents, leaf = layer["path"].split(".")
            owner = self
            for part in parents:
                if not hasattr(owner, part):
                    owner.add_module(part, nn.Module())
                owner = getattr(owner, part)
            owner.add_module(leaf, module)

    def forward(self, x):
        outputs = {"input": x}
        for layer, module in self.order:
            x = module(*[outputs[p] for p in layer["inputs"]])
            outputs[layer["path"]] = x
        return x


def loss_fn(loss, z, t):
    op = loss["op"]
    if op == "softmax_cross_entropy":
        return F.cross_entropy(z, t, label_smoothing=loss.get("smoothing", 0.0))
    if op == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(z, t)
    if op == "mse":
        return F.mse_loss(z, t)
    return F.l1_loss(z, t)


def check_counts(spec, net, shape):
    failures = []
    macs = {}

    def hook(name):
        def fn(module, inputs, output):
            if isinstance(module, nn.Linear):
                macs[name] = module.in_features * module.out_features
            else:
                per_out = module.in_channels // module.groups
                for k in module.kernel_size:
                    per_out *= k
                macs[name] = output[0].numel() * per_out
        return fn

    for layer, module in net.order:
        target = module.conv if isinstance(module, PaddedConv) else module
        if isinstance(target, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            target.register_forward_hook(hook(layer["path"]))
    net.eval()  # one image: BN in training mode would refuse a single value per channel
    with torch.no_grad():
        net(torch.zeros([1] + shape))
    total_params, total_macs = 0, 0
    for layer, module in net.order:
        p = sum(t.numel() for t in module.parameters())
        ours_p = sum(_numel(q["shape"]) for q in layer["params"] if not q["buffer"])
        m = macs.get(layer["path"], 0)
        if p != ours_p or m != layer["macs"]:
            failures.append(f"{layer['path']} ({layer['op']}): params {ours_p} vs torch {p}, MACs {layer['macs']} vs torch {m}")
        total_params += p
        total_macs += m
    torch_params = sum(t.numel() for t in net.parameters())
    ours_params = sum(_numel(q["shape"]) for l in spec["layers"] for q in l["params"] if not q["buffer"])
    ours_macs = sum(l["macs"] for l in spec["layers"])
    if torch_params != ours_params or total_macs != ours_macs:
        failures.append(f"totals: params {ours_params} vs torch {torch_params}, MACs {ours_macs} vs torch {total_macs}")
    print(f"{spec['name']}: params {ours_params:,} (torch {torch_params:,}), MACs {ours_macs:,} (torch {total_macs:,})")
    return failures


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def read_dump(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"NNDUMP1\n"):
        raise SystemExit(f"{path}: not a model dump")
    pos = 8

    def u32():
        nonlocal pos
        v = struct.unpack_from("<I", data, pos)[0]
        pos += 4
        return v

    def floats(count):
        nonlocal pos
        t = torch.frombuffer(bytearray(data[pos:pos + 4 * count]), dtype=torch.float32).clone()
        pos += 4 * count
        return t

    tensors = {}
    for _ in range(u32()):
        length = u32()
        name = data[pos:pos + length].decode()
        pos += length
        size = u32()
        tensors[name] = (floats(size), floats(size), floats(size))  # before, gradient, after
    n, in_size, out_size = u32(), u32(), u32()
    return {"tensors": tensors, "n": n, "input": floats(n * in_size), "target": floats(n * out_size),
            "output": floats(n * out_size), "loss": floats(1)[0], "d_input": floats(n * in_size)}


def rel(a, b):
    a, b = a.double(), b.double()
    denom = max(b.norm().item(), 1e-6)
    return (a - b).norm().item() / denom


def run_torch(spec, net, dump, shape, training, dtype):
    """Output, loss, input gradient, parameter gradients and buffers of `net` in `dtype`,
    started from the weights and buffers the C model started from."""
    failures = []
    net.to(dtype)
    state = net.state_dict()
    with torch.no_grad():
        for name, (values, _, _) in dump["tensors"].items():
            if name not in state:
                failures.append(f"tensor {name} is not in the torch model")
                continue
            state[name].copy_(values.reshape(state[name].shape))
    net.train(bool(training))
    net.zero_grad(set_to_none=True)
    n = dump["n"]
    x = dump["input"].to(dtype).reshape([n] + shape).requires_grad_(True)
    t = dump["target"].to(dtype).reshape(n, -1)
    z = net(x)
    loss = loss_fn(spec["loss"], z, t)
    loss.backward()
    results = {"output": z.detach(), "loss": loss.detach().reshape(1), "input gradient": x.grad}
    params, buffers = dict(net.named_parameters()), dict(net.named_buffers())
    for name in dump["tensors"]:
        if name in params:
            results[f"{name} gradient"] = params[name].grad.detach().clone()
        elif name in buffers:
            results[f"{name} after forward"] = buffers[name].detach().clone()
    return results, failures


def check_dump(spec, net, dump, shape, training):
    """Compares the C model (float) with torch in double. Deep networks in float
    carry rounding that PyTorch's own float32 shares (up to 1e-2 on resnet18's
    gradients; the C model's own 1- and 2-thread runs differ by 1e-4 on some
    inception gradients), so a tensor passes within TOLERANCE, within ten times
    torch float32's error on it, or within twice torch float32's worst error on
    this network: the same order of magnitude as PyTorch's own rounding."""
    reference, failures = run_torch(spec, net, dump, shape, training, torch.float64)
    torch32, _ = run_torch(spec, net, dump, shape, training, torch.float32)
    ours = {"output": dump["output"], "loss": dump["loss"].reshape(1), "input gradient": dump["d_input"]}
    for name, (_, grad, after) in dump["tensors"].items():
        ours[f"{name} gradient"] = grad
        ours[f"{name} after forward"] = after
    checks = [(what, ours[what].reshape(ref.shape), ref, torch32[what]) for what, ref in reference.items()]
    worst_torch = max(rel(theirs, ref) for _, _, ref, theirs in checks)
    worst = 0.0
    mode = "training" if training else "evaluation"
    for what, mine, ref, theirs in checks:
        err, err_torch = rel(mine, ref), rel(theirs, ref)
        worst = max(worst, err)
        limit = max(TOLERANCE, 10 * err_torch, 2 * worst_torch)
        if err > limit:
            failures.append(f"{mode}: {what}: relative error {err:.3g} > {limit:.3g} (torch float32: {err_torch:.3g})")
    print(f"{spec['name']} ({mode}): output, loss, input gradient and {len(checks) - 3} parameter gradients / "
          f"buffers vs torch float64: worst relative error {worst:.2e} (torch float32: {worst_torch:.2e})"
          + ("" if not failures else " MISMATCH"))
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--dumper", help="a tests/torch/dump_model.c binary built for this spec")
    ap.add_argument("--lua", default="lua5.4")
    args = ap.parse_args()
    layers = subprocess.run([args.lua, "generator/main.lua", args.spec, "--layers"], check=True,
                            capture_output=True, text=True).stdout
    spec = json.loads(layers)
    torch.manual_seed(0)
    net = Net(spec["layers"])
    shape = spec["input"]
    failures = check_counts(spec, net, shape)
    if args.dumper:
        import tempfile
        random_masks = [l["path"] for l in spec["layers"] if l["op"] in ("dropout", "dropblock")]
        modes = [0] if random_masks else [1, 0]
        if random_masks:
            print(f"{spec['name']}: training mode not compared ({', '.join(random_masks)} draw masks from another RNG)")
        for training in modes:
            with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
                subprocess.run([args.dumper, tmp.name, str(training)], check=True)
                failures += check_dump(spec, net, read_dump(tmp.name), shape, training)
    for f in failures:
        print(f"{args.spec}: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
