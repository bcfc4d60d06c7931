"""The one exception the importer raises for a model it cannot import: its
message is the whole line the user sees (file, node, what is wrong)."""


class Refusal(Exception):
    pass


def node_label(node, index=None):
    """"node 'NAME' (Op)", or the node's position when it has no name."""
    if node.name:
        return "node '%s' (%s)" % (node.name, node.op_type)
    return "node %s (%s)" % ("?" if index is None else index, node.op_type)
