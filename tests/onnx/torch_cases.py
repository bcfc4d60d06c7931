"""A small PyTorch model exported with torch.onnx.export, for what the node
tests do not reach: residual blocks (identity and projection shortcuts),
concatenated branches, nested Sequential names, depthwise and dilated
convolutions, ReLU6 (Clip), the zero Pad before AveragePool, and Gemm after
Flatten; BatchNorm kept as a node (training=PRESERVE, where the tensor names
are checked against the state_dict) and folded into the convolutions (the
default export). Each becomes a case for node_tests.py with PyTorch's output
as the expected values."""
import os


def models(torch):
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None if stride == 1 and cin == cout else nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(y + (x if self.downsample is None else self.downsample(x)))

    class Mixed(nn.Module):
        def __init__(self, cin):
            super().__init__()
            self.branch1 = nn.Conv2d(cin, 4, 1)
            self.branch3 = nn.Sequential(nn.Conv2d(cin, 3, 1), nn.ReLU6(), nn.Conv2d(3, 5, 3, padding=1, groups=1))
            self.pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(cin, 2, 1))

        def forward(self, x):
            return torch.cat([self.branch1(x), self.branch3(x), self.pool(x)], 1)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.LeakyReLU(0.2),
                                      nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8), nn.Tanh())
            self.layer1 = nn.Sequential(Block(8, 8, 1), Block(8, 12, 2))
            self.mixed = Mixed(12)
            self.pool = nn.AvgPool2d(2)
            self.fc = nn.Linear(11 * 4 * 4, 6)

        def forward(self, x):
            return self.fc(torch.flatten(self.pool(self.mixed(self.layer1(self.stem(x)))), 1))

    return Net


def cases(work, import_model, refusal):
    """Exports, imports and returns the cases (a refusal as a case's "refused"); a line saying why when
    torch is missing."""
    try:
        import torch
    except ImportError:
        return [], "python3-torch is missing"
    torch.manual_seed(0)
    net = models(torch)()
    with torch.no_grad():  # BN statistics that are not the initial ones
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    net.eval()
    x = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        y = net(x).numpy()
    out = []
    for name, mode in (("torch_blocks", torch.onnx.TrainingMode.PRESERVE), ("torch_blocks_folded", None)):
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        kwargs = {"training": mode, "do_constant_folding": False} if mode else {}
        torch.onnx.export(net, x, path, input_names=["x"], **kwargs)
        spec = os.path.join(d, name + ".lua")
        try:
            meta = {"mean": "0.5,0.4,0.3", "std": "0.2,0.25,0.3"}  # checked by the runtime's loader
            _, tensors = import_model(path, name, spec, os.path.join(d, "weights.safetensors"), None, None, meta)
        except refusal as e:
            out.append({"name": name, "refused": str(e)})
            continue
        x.numpy().astype("<f4").tofile(os.path.join(d, "input.f32"))
        names = set(net.state_dict()) if mode else None
        out.append({"name": name, "dir": d, "spec": spec, "n": 3, "expected": y,
                    "names": (names, set(tensors)) if names else None})
    return out, None
