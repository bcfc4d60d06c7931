-- TEMPLATE: the interface of an op module, as the generator uses it, shown
-- on a layer that is not registered: scale{factor = 2}, y = factor * x.
-- To add an op NAME: copy this file to ops/NAME.lua and add NAME to the list
-- in ops/init.lua (which makes NAME{...} a spec constructor). An elementwise
-- activation needs only ops/elementwise.lua's op{} (see relu.lua, elu.lua);
-- a loss, ops/loss_core.lua's op{} (see the end of this file).
--
-- Who calls what, in order (the passes: dsl, graph, fuse, plan, emit):
--   graph.lua   checks the spec's arguments against `keys` and `positional`,
--               calls infer(node, shape), then checks the sizes infer left on
--               the node (limits.lua).
--   fuse.lua    may fold the layer after the node into it, recorded in
--               node.epilogue (util.fused_relu, util.pools): a relu when its
--               op is in fuse.lua's RELU_INTO list, a 2x2 max pool when
--               absorbs(node, step) says yes.
--   plan.lua    calls plan(node) if present, then gives the node its offsets
--               and its gradient writes.
--   emit/model.lua calls strategy(node), forward(node, w, g) and
--               backward(node, w, g), each writing one C function's body.
--
-- Node fields infer may set (graph.lua sets the numeric ones to 0 first):
--   desc             text of the summary and error messages ("linear 4->2")
--   params           list of { suffix, shape, init, fan_in, fan_out, decay,
--                    buffer }: tensors named PATH.suffix (PyTorch's names),
--                    init one of util.WEIGHT_INITS or "ones"; buffer = true
--                    for state that is saved but not trained
--   macs             multiply-accumulates per image (the summary's column)
--   index            int32_t values per image in s->index (argmax)
--   saved, saved_per_image  values kept for backward after the activations
--   blas             { { what, value, batched }, ... }: every dimension given
--                    to BLAS, batched ones multiplied by the batch
--   any op-specific table (node.fc, node.conv, ...); those listed in
--   emit/describe.lua's ATTRS reach the PyTorch reference (--layers).
-- Node fields plan(node) may set: work, work_fixed (workspace s->work,
--   values per image and fixed) and the op's choices (node.conv.strategy).
-- Node fields set for forward and backward (plan.lua):
--   in_off, in_offs[k], out_off (activation offsets; activations are
--   channel-major, [C][n][rest]), p[suffix] (parameter offsets), saved_off,
--   index_off, dx_assign (read through util.dx_op and util.dx_beta).
-- The context g: T (float or double), gemm/gemv/ger (the BLAS routines for T),
--   one, zero, lit(x) (a T literal), dlit(x) (a double literal), fn(name)
--   (a math function for T: expm1 -> expm1f), acts/dacts/params/grads(offset)
--   (C pointers). Kernels shared by every model (im2col rows, bias and relu
--   passes, transposes, Winograd transforms) are C in runtime/nn_*.h, which
--   the generated file includes.
-- The writer w (emit/writer.lua): line, open (a block), middle (} else {), close.
local util = require("ops.util")

local op = {
  positional = { "factor" }, -- names of the positional arguments, in order: scale{3}
  keys = { "factor" }, -- named arguments; "name" is always accepted
  -- kind = "loss",        only for losses (network{ loss = ... })
  -- multi_input = true,   infer gets a list of shapes; need_dx has bit k - 1 for input k
  -- uses_training = true, forward also gets `int training` (dropout, batchnorm)
}

-- Checks the arguments (util.int, util.number, ... fail with the layer's
-- path), sets the node's fields and returns the output shape.
function op.infer(node, shape)
  node.factor = util.number(node, "factor", node.args.factor or node.args[1] or 2, -1e6, 1e6)
  node.elems = util.numel(shape)
  node.desc = string.format("scale %g", node.factor)
  return shape
end

-- The body of static void MODEL_PATH_forward(const state *s, int n[, int training]):
-- n images, 1 <= n <= batch.
function op.forward(node, w, g)
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  w:line("#pragma omp parallel for")
  w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) y[i] = %s * x[i];", node.elems, g.lit(node.factor))
end

-- The body of static void MODEL_PATH_backward(const state *s, int n, int need_dx),
-- after `if (!need_dx) return;` when the node has no parameters. It writes the
-- input gradient only under need_dx, with util.dx_op(node, k) ("=" for the first
-- writer of that tensor, "+=" after), and a parameter's gradient only under
-- util.trains(node, suffix), adding to it under util.ACCUMULATE (util.GRAD_BETA
-- for BLAS). It must not read a gradient before writing it, nor change what
-- forward kept: tests/test_gradcheck.c checks both.
function op.backward(node, w, g)
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  w:line("#pragma omp parallel for")
  w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) dx[i] %s %s * dy[i];", node.elems, util.dx_op(node),
    g.lit(node.factor))
end

-- How the layer is computed, for its comment in the generated C.
function op.strategy() return "elementwise" end

-- Optional: op.plan(node), the plan pass's choices for the node (see above),
-- and op.absorbs(node, step), asked by fuse.lua whether the node computes the
-- epilogue step { op = "maxpool2x2", pool = p } too (see conv_core.lua).
--
-- A loss module has kind = "loss", keys, positional = {}, and instead of
-- forward and backward:
--   infer(loss, shape, previous): checks the network's output shape (previous
--     is the last layer), sets loss.desc
--   emit(loss, w, g): the body of static real MODEL_loss(const state *s,
--     const real *target, int n), which writes dL/dz into the output's
--     gradient and returns the batch mean (ops/loss_core.lua).

return op
