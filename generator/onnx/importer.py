"""ONNX model -> a DSL spec and its weights (safetensors for the trainer's
--init). Usage from Python (generator/onnx on sys.path):

    from importer import import_model
    from refusal import Refusal
    import_model("resnet18.onnx", "resnet18_tv", "specs/resnet18_tv.lua", "build/resnet18_tv.safetensors",
                 batch=None, constants=None, meta={"mean": "0.485,0.456,0.406", "std": "0.229,0.224,0.225"})

Raises Refusal with a one-line message for a model it does not import;
nothing is written then."""
import os

import naming
import reader
import structure
from layers import Layer
from lua_writer import spec_text
from refusal import Refusal
from safetensors import write as write_safetensors

DEFAULT_BATCH = 32
HEADER = "-- Imported from an ONNX model"


def build(model, name, batch=None, constants=None):
    """(spec text, {tensor name: array}) for a loaded model."""
    consts = reader.constants(model, constants)
    input_name, dims = reader.data_input(model, consts)
    if len(dims) > 4:
        raise Refusal("input '%s' has rank %d; [N], [N, F], [N, C, L] and [N, C, H, W] are imported"
                      % (input_name, len(dims)))
    outputs = [o.name for o in model.graph.output]
    if len(outputs) != 1:
        raise Refusal("the graph has %d outputs (%s); one is imported" % (len(outputs), ", ".join(outputs)))
    batch = batch or dims[0] or DEFAULT_BATCH
    walk = structure.Walk(model, consts, input_name, dims, batch, reader.opset(model))
    items, end = walk.walk(input_name)
    if end != outputs[0]:
        stuck = walk.consumers[end]
        where = structure.node_label(stuck[0], walk.index[id(stuck[0])]) if stuck else "value '%s'" % end
        raise Refusal("%s: joins values from different forks; the graph is not a chain of layers, residual "
                      "and concat blocks" % where)
    naming.source_paths(items, consts)
    items = naming.name_list(items, [])
    shape = walk.shape[end]
    notes = ["%s (opset %d) by generator/onnx/import.py." % (HEADER[3:], reader.opset(model))]
    if len(shape) > 1 or not items:
        items.append(Layer("flatten"))
        notes.append("flatten{} at the end: the loss takes a vector (the values keep ONNX's order).")
    classify = items and items[-1].__class__ is Layer and items[-1].op == "linear" and shape[0] > 1
    settings = [("name", name), ("input", dims[1:] or [1]), ("batch", batch)]
    if classify:
        settings.append(("classes", shape[0]))
    loss = "softmax_cross_entropy" if classify else "mse"
    notes.append("Loss: ONNX has none; %s{} %s." % (loss, "on the logits" if classify else "(the output is not "
                                                     "a vector of logits)"))
    return spec_text(name, notes, settings, items, loss), naming.tensor_names(items)


def import_model(source, name, spec_path, weights_path, batch=None, constants=None, meta=None):
    """Writes spec_path and weights_path from source (a path or a loaded ModelProto); meta: extra
    checkpoint metadata, e.g. {"mean": "0.485,0.456,0.406", "std": "0.229,0.224,0.225"}."""
    model = reader.load(source) if isinstance(source, str) else source
    label = source if isinstance(source, str) else "model"
    try:
        text, tensors = build(model, name, batch, constants)
    except Refusal as e:
        raise Refusal("%s: %s" % (label, e))
    for path in (spec_path, weights_path):
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(spec_path + ".tmp", "w") as f:
        f.write(text)
    write_safetensors(weights_path + ".tmp", tensors, dict(meta or {}, source=os.path.basename(label), spec=name))
    os.replace(weights_path + ".tmp", weights_path)
    os.replace(spec_path + ".tmp", spec_path)
    return text, tensors
