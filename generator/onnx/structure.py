"""The graph walked from its data input into the DSL's tree: a chain of
layers, and where a value forks, the branches up to the node that joins them
(Add: residual{} with the shorter branch as its shortcut, or add{} for more
than two; Concat: concat{})."""
from collections import defaultdict

import onnx

import ops
from layers import Layer
from refusal import Refusal, node_label


class Seq:
    def __init__(self, items, name=None):
        self.items, self.name, self.want = items, name, None


class Residual:
    def __init__(self, body, shortcut, after, node):
        self.body, self.shortcut, self.after, self.node = body, shortcut, after, node
        self.name, self.want = None, None


class Branches:
    """concat{} or add{} of branches (each a list of items; [] is the input itself)."""

    def __init__(self, kind, branches, node):
        self.kind, self.branches, self.node = kind, branches, node
        self.name, self.want = None, None


class Walk:
    def __init__(self, model, consts, input_name, dims, batch, opset):
        self.consts, self.batch, self.opset = consts, batch, opset
        self.nodes = [n for n in model.graph.node if n.op_type != "Constant"]
        self.index = {id(n): i for i, n in enumerate(self.nodes)}
        self.consumers = defaultdict(list)
        for n in self.nodes:
            for v in self.data_inputs(n):
                self.consumers[v].append(n)
        self.shape = {input_name: list(dims[1:]) or [1]}
        self.layer_of = {}
        self.input = input_name

    def data_inputs(self, node):
        return [v for v in node.input if v and v not in self.consts]

    def label(self, node):
        return node_label(node, self.index[id(node)])

    def is_join(self, node):
        return node.op_type in ops.JOINS and len(self.data_inputs(node)) > 1

    def convert(self, node, v):
        """The layer (or None) of single-input node, its output's shape recorded."""
        if len(self.data_inputs(node)) != 1:
            raise Refusal("%s: reads %d values computed by the graph; only Add and Concat join branches"
                          % (self.label(node), len(self.data_inputs(node))))
        if node.op_type == "Concat":
            raise Refusal("%s: concatenates a constant tensor; concat{} joins branches of one input" % self.label(node))
        prev = self.layer_of.get(v) if len(self.consumers[v]) == 1 else None
        layer, shape = ops.convert(node, self.index[id(node)], self.consts, self.shape[v], self.batch, self.opset,
                                   list(node.input).index(v), prev)
        out = node.output[0]
        self.shape[out] = shape
        self.layer_of[out] = layer if layer is not None else prev
        return layer

    def walk(self, v, stops=()):
        """Items from value v until a value in stops, a join, or the end; returns (items, last value)."""
        items = []
        while v not in stops:
            cons = self.consumers[v]
            if not cons or (len(cons) == 1 and self.is_join(cons[0])):
                break
            if len(cons) == 1:
                layer = self.convert(cons[0], v)
                items += [layer] if layer is not None else []
                v = cons[0].output[0]
                continue
            item, v = self.fork(v, cons)
            items.append(item)
        return items, v

    def reach(self, node, seen):
        stack = [node]
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen[id(n)] = n
            for out in n.output:
                stack.extend(self.consumers[out])
        return seen

    def join_of(self, v, cons):
        common = None
        for c in cons:
            ids = set(self.reach(c, {}))
            common = ids if common is None else common & ids
        joins = sorted((self.index[i] for i in common or ()), key=int)
        if not joins or not self.is_join(self.nodes[joins[0]]):
            raise Refusal("value '%s' feeds %s, whose branches do not meet at one Add or Concat"
                          % (v, ", ".join(self.label(c) for c in cons)))
        return self.nodes[joins[0]]

    def fork(self, v, cons):
        join = self.join_of(v, cons)
        ends = self.data_inputs(join)
        branches = {}
        for c in cons:
            if c is join:
                items, end = [], v
            else:
                first = self.convert(c, v)
                items, end = self.walk(c.output[0], set(ends))
                items = ([first] if first is not None else []) + items
            if end not in ends or end in branches:
                raise Refusal("%s: its inputs are not the branches of value '%s'" % (self.label(join), v))
            branches[end] = items
        if len(branches) != len(ends):
            raise Refusal("%s: joins values from different forks" % self.label(join))
        return self.container(join, [branches[e] for e in ends], ends)

    def container(self, join, branches, ends):
        label, shapes = self.label(join), [self.shape[e] for e in ends]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in join.attribute}
        for name in attrs:
            if name != "axis" or join.op_type != "Concat":
                raise Refusal("%s: attribute '%s' is not supported" % (label, name))
        if join.op_type == "Concat":
            rank = len(shapes[0]) + 1
            axis = attrs.get("axis", 1)
            if (axis + rank if axis < 0 else axis) != 1 or any(s[1:] != shapes[0][1:] for s in shapes):
                raise Refusal("%s: concatenation along axis %d of %s; only along channels (axis 1)"
                              % (label, axis, [[self.batch] + s for s in shapes]))
            self.shape[join.output[0]] = [sum(s[0] for s in shapes)] + shapes[0][1:]
            return Branches("concat", branches, join), join.output[0]
        if any(s != shapes[0] for s in shapes):
            raise Refusal("%s: adds shapes %s; only equal shapes (no broadcasting)" % (label, shapes))
        out = join.output[0]
        self.shape[out] = shapes[0]
        if len(branches) != 2:
            return Branches("add", branches, join), out
        body, shortcut = sorted(branches, key=len, reverse=True)
        after, cons = None, self.consumers[out]
        if len(cons) == 1 and cons[0].op_type == "Relu" and not cons[0].attribute:
            after = Layer("relu", node=cons[0])
            self.shape[cons[0].output[0]] = shapes[0]
            out = cons[0].output[0]
        return Residual(body, shortcut, after, join), out
