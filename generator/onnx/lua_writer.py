"""The spec as readable Lua: one layer per line, containers indented."""
from layers import Layer
from structure import Residual, Seq

INDENT = "  "


def value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, (list, tuple)):
        return "{ %s }" % ", ".join(value(x) for x in v)
    if isinstance(v, float):
        return repr(v)
    return str(int(v))


def layer_text(layer):
    parts = [value(v) if k is None else "%s = %s" % (k, value(v)) for k, v in layer.args]
    if layer.name is not None:
        parts.append('name = "%s"' % layer.name)
    return "%s{%s}" % (layer.op, " " + ", ".join(parts) + " " if parts else "")


def lines(item, depth, lead=""):
    """Lines of one item (ending with a comma) at depth."""
    pad = INDENT * depth
    if isinstance(item, Layer):
        return [pad + lead + layer_text(item) + ","]
    name = ' name = "%s",' % item.name if item.name is not None else ""
    if isinstance(item, Seq):
        if not item.items:
            return [pad + lead + "seq{%s}," % name.rstrip(",")]
        head, body, tail = "seq{" + name, item_lines(item.items, depth + 1), []
    elif isinstance(item, Residual):
        head, body = "residual{" + name, item_lines(item.body, depth + 1)
        tail = []
        if len(item.shortcut) == 1:
            tail += lines(item.shortcut[0], depth + 1, "shortcut = ")
        elif item.shortcut:
            tail += lines(Seq(item.shortcut), depth + 1, "shortcut = ")
        if item.after is not None:
            tail += lines(item.after, depth + 1, "after = ")
    else:
        head, body, tail = item.kind + "{" + name, [], []
        for branch in item.branches:
            one = branch[0] if len(branch) == 1 else Seq(branch)
            body += lines(one, depth + 1)
    return [pad + lead + head] + body + tail + [pad + "},"]


def item_lines(items, depth):
    return [line for item in items for line in lines(item, depth)]


def spec_text(name, header, settings, items, loss):
    out = ["-- " + line for line in header]
    out.append("return network{")
    out.append(INDENT + ", ".join("%s = %s" % (k, value(v)) for k, v in settings) + ",")
    out += item_lines(items, 1)
    out.append(INDENT + "loss = %s{}," % loss)
    out.append("}")
    return "\n".join(out) + "\n"
