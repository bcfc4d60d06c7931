-- dropout{p = 0.5}: inverted dropout. Training zeroes each value with
-- probability p and scales the rest by 1/(1-p); evaluation is the identity.
-- The mask (0 or 1/(1-p), all 1 in evaluation) is kept for backward and is
-- drawn serially from the model's RNG, so a seed fixes it.
local util = require("ops.util")

local op = { positional = { "p" }, keys = { "p" }, uses_training = true }

function op.infer(node, shape)
  local p = node.args.p or node.args[1] or 0.5
  node.p_drop = util.number(node, "p", p, 0, 0.99)
  node.elems = util.numel(shape)
  node.saved_per_image = node.elems
  node.desc = string.format("dropout %g", node.p_drop)
  return shape
end

function op.forward(node, w, g)
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  w:line("%s *mask = %s;", g.T, g.acts(node.saved_off))
  w:line("const size_t len = (size_t)n * %d;", node.elems)
  w:line("for (size_t i = 0; i < len; ++i)")
  w:line("    mask[i] = !training ? %s : nn_rng_uniform(s->rng) < %s ? %s : %s;", g.one, g.dlit(node.p_drop),
    g.zero, g.lit(1 / (1 - node.p_drop)))
  w:line("#pragma omp parallel for")
  w:line("for (size_t i = 0; i < len; ++i) y[i] = x[i] * mask[i];")
end

function op.backward(node, w, g)
  util.mask_backward(node, w, g, node.elems)
end

function op.strategy() return "elementwise" end

return op
