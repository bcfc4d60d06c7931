"""Names: each layer's path in the source model (from its weights'
initializer names, `layer1.0.conv1.weight`, else from torch.onnx.export's node
names, `/layer1/layer1.0/conv1/Conv`), then name= for layers and containers,
with seq{} groups inserted so that the DSL's dotted paths come out the same.
Returns the tensors under the paths the generator will give them."""
import re

from layers import Layer
from structure import Branches, Residual, Seq

SUFFIXES = ("weight", "bias", "running_mean", "running_var")
NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def _from_initializer(node, consts):
    for name in node.input[1:]:
        if name in consts and "." in name and not name.startswith("onnx::"):
            parts = name.split(".")
            if parts[-1] in SUFFIXES and len(parts) > 1:
                return parts[:-1]
    return None


def _from_node_name(node):
    """'/layer1/layer1.0/conv1/Conv' -> ['layer1', '0', 'conv1']: a scope that extends the one before it
    with '.' (a Sequential's child) replaces it."""
    if not node.name.startswith("/"):
        return None
    base, path, prev = [], [], None
    for part in node.name.split("/")[1:-1]:
        if prev is None or not part.startswith(prev + "."):
            base = path
        path, prev = base + part.split("."), part
    return path or None


def source_paths(item, consts):
    """Sets want on every layer of the tree."""
    for layer in layers_of(item):
        if layer.node is not None:
            want = _from_initializer(layer.node, consts) or _from_node_name(layer.node)
            layer.want = want if want and all(NAME.match(p) for p in want) else None


def layers_of(item):
    if isinstance(item, Layer):
        return [item]
    if isinstance(item, list):
        return [layer for i in item for layer in layers_of(i)]
    if isinstance(item, Seq):
        return layers_of(item.items)
    if isinstance(item, Residual):
        return layers_of(item.body) + layers_of(item.shortcut) + ([item.after] if item.after else [])
    return [layer for b in item.branches for layer in layers_of(b)]


def _head(item, prefix):
    """The segment after prefix that every named layer in item shares, or None."""
    wants = [layer.want for layer in layers_of(item) if layer.want]
    n = len(prefix)
    if not wants or any(w[:n] != prefix or len(w) <= n for w in wants):
        return None
    heads = {w[n] for w in wants}
    if len(heads) != 1 or (isinstance(item, Layer) and len(item.want) == n + 1):
        return None
    return heads.pop()


def name_list(items, prefix):
    """Names the items of a container at prefix, grouping runs that share a head into seq{}."""
    out, i = [], 0
    while i < len(items):
        h = _head(items[i], prefix)
        j = i + 1
        if h is not None:
            last = i
            while j < len(items) and _head(items[j], prefix) in (h, None):
                if _head(items[j], prefix) == h:
                    last = j
                j += 1
            j = last + 1
        out.append(_name_group(items[i:j], h, prefix) if h is not None else _name_item(items[i], prefix, str(len(out))))
        i = j
    _unique(out)
    return out


def _name_group(group, head, prefix):
    if len(group) == 1 and not isinstance(group[0], Layer):
        group[0].name = head
        _inside(group[0], prefix + [head])
        return group[0]
    return Seq(name_list(group, prefix + [head]), head)


def _name_item(item, prefix, position="0"):
    if isinstance(item, Layer):
        want = item.want
        if want and want[:len(prefix)] == prefix and len(want) == len(prefix) + 1:
            item.name = want[-1]
        return item
    _inside(item, prefix + [position])
    return item


def _inside(item, path):
    if isinstance(item, Seq):
        item.items = name_list(item.items, path)
    elif isinstance(item, Residual):
        item.body = name_list(item.body, path)
        h = _head(Seq(item.shortcut), path)
        if len(item.shortcut) > 1:
            item.shortcut = name_list(item.shortcut, path + [h] if h else path + ["shortcut"])
        elif item.shortcut:
            item.shortcut[0].name = None  # the generator names a one-item shortcut itself
            _inside(item.shortcut[0], path + ["shortcut"])
    elif isinstance(item, Branches):
        for k, branch in enumerate(item.branches):
            h = _head(Seq(branch), path)
            if len(branch) == 1 and isinstance(branch[0], Layer):
                item.branches[k] = [_name_item(branch[0], path)]
            elif h is not None:
                item.branches[k] = [Seq(name_list(branch, path + [h]), h)]
            else:
                item.branches[k] = [Seq(name_list(branch, path + [str(k)]))]
    _unique_one(item)


def _unique_one(item):
    if isinstance(item, Branches):
        _unique([b[0] for b in item.branches if b])


def _unique(items):
    """No two siblings with one name; an unnamed item whose position another uses as its name gets one."""
    taken = set()
    for k, item in enumerate(items):
        if item.name is not None and item.name in taken:
            item.name = None
        if item.name is not None:
            taken.add(item.name)
    for k, item in enumerate(items):
        if item.name is None and str(k) in taken:
            item.name = "%s_%d" % (getattr(item, "op", "block"), k)


def tensor_names(items):
    """{state_dict name: array} under the paths the generator gives the tree (generator/graph.lua)."""
    out = {}
    _assign(items, None, out)
    return out


def _join(prefix, name):
    return name if prefix is None else prefix + "." + name


def _assign(items, prefix, out):
    for k, item in enumerate(items):
        _visit(item, _join(prefix, item.name or str(k)), out)


def _visit(item, path, out):
    if isinstance(item, Layer):
        for suffix, t in item.tensors.items():
            out[path + "." + suffix] = t
    elif isinstance(item, Seq):
        _assign(item.items, path, out)
    elif isinstance(item, Residual):
        _assign(item.body, path, out)
        if len(item.shortcut) == 1:
            _visit(item.shortcut[0], path + ".shortcut", out)
        elif item.shortcut:
            _assign(item.shortcut, path + ".shortcut", out)
        if item.after is not None:
            _visit(item.after, path + "." + (item.after.name or "after"), out)
    else:
        for k, branch in enumerate(item.branches):
            one = branch[0] if len(branch) == 1 else Seq(branch)
            _visit(one, _join(path, one.name or str(k)), out)
