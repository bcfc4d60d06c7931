"""The op table: which converter takes each ONNX op type, and the context a
converter reads (attributes, constant inputs, the data input's shape)."""
import numpy as np
import onnx

import activations
import layers
from reader import as_float
from refusal import Refusal, node_label

CONVERTERS = {
    "Conv": layers.conv, "BatchNormalization": layers.batchnorm, "MaxPool": layers.maxpool,
    "AveragePool": layers.avgpool, "GlobalAveragePool": layers.global_avgpool, "Gemm": layers.gemm,
    "MatMul": layers.matmul, "Relu": activations.simple("relu"), "Sigmoid": activations.simple("sigmoid"),
    "Tanh": activations.simple("tanh"), "LeakyRelu": activations.leaky_relu, "Clip": activations.clip,
    "Softmax": activations.softmax, "Flatten": activations.flatten, "Reshape": activations.reshape,
    "Dropout": activations.dropout, "Identity": activations.identity, "Pad": activations.pad,
}
JOINS = ("Add", "Concat")   # with two or more data inputs: add{}, residual{}, concat{}
INTEGER_INPUTS = {"Reshape": (1,), "Dropout": (2,), "Pad": (1,)}  # constant inputs that are not weights


class Context:
    def __init__(self, node, index, consts, shape, batch, opset, data_index, prev_layer):
        self.node, self.consts, self.shape, self.batch = node, consts, shape, batch
        self.opset, self.data_index, self.prev_layer = opset, data_index, prev_layer
        self.label = node_label(node, index)
        self.attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def allow(self, *names):
        for name in self.attrs:
            if name not in names:
                raise Refusal("%s: attribute '%s' is not supported" % (self.label, name))

    def const(self, i, what, required=False):
        """Constant input i (float32 unless an integer input), or None when absent."""
        name = self.node.input[i] if i < len(self.node.input) else ""
        if not name:
            if required:
                raise Refusal("%s: %s is missing" % (self.label, what))
            return None
        if name not in self.consts:
            raise Refusal("%s: %s ('%s') is computed by the graph; only a constant (initializer) is imported"
                          % (self.label, what, name))
        value = self.consts[name]
        if i in INTEGER_INPUTS.get(self.node.op_type, ()):
            return np.asarray(value)
        return as_float(value, "%s: %s ('%s')" % (self.label, what, name))

    def single_output(self, what):
        if len([o for o in self.node.output if o]) > 1:
            raise Refusal("%s: %s is not supported" % (self.label, what))

    def number(self, x):
        """A float attribute (stored as float32) as the shortest decimal that reads back the same."""
        return float(str(np.float32(x)))

    def full_shape(self):
        return str([self.batch] + list(self.shape))


def convert(node, index, consts, shape, batch, opset, data_index, prev_layer):
    ctx = Context(node, index, consts, shape, batch, opset, data_index, prev_layer)
    if node.op_type == "Add":
        ctx.allow()
        return layers.add_constant(ctx)
    fn = CONVERTERS.get(node.op_type)
    if fn is None or node.domain not in ("", "ai.onnx"):
        raise Refusal("%s: op %s is not supported" % (ctx.label, node.op_type))
    return fn(ctx)
