-- dropblock{p = 0.1, block = 3} (Ghiasi et al. 2018) on images: in training,
-- seeds drawn with rate gamma = p / block^2 * H*W / ((H-block+1)(W-block+1))
-- at every position where a block x block square fits zero that square in
-- each (channel, image) plane; the kept values are scaled by
-- (all values) / (kept values) over the batch. Evaluation is the identity.
local errors = require("errors")
local util = require("ops.util")

local op = { positional = { "p" }, keys = { "p", "block" }, uses_training = true }

function op.infer(node, shape)
  util.expect_rank(node, shape, { 3 }, "an image (channels x height x width); dropblock needs 3 dimensions")
  local a = node.args
  local p = util.number(node, "p", a.p or a[1] or 0.1, 0, 0.99)
  local b = util.int(node, "block", a.block or 3)
  local C, H, W = shape[1], shape[2], shape[3]
  if b > H or b > W then
    errors.layer_fail(node, "block %d is larger than the input %s", b, util.shape_str(shape))
  end
  node.db = { p = p, b = b, C = C, H = H, W = W,
              gamma = p / (b * b) * (H * W) / ((H - b + 1) * (W - b + 1)) }
  node.saved_per_image = C * H * W
  node.desc = string.format("dropblock %g, block %d", p, b)
  return shape
end

function op.forward(node, w, g)
  local d = node.db
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  w:line("%s *mask = %s;", g.T, g.acts(node.saved_off))
  w:line("const size_t len = (size_t)n * %d;", d.C * d.H * d.W)
  w:line("for (size_t i = 0; i < len; ++i) mask[i] = %s;", g.one)
  w:open("if (training) {")
  w:line("/* seeds, serially so that the RNG fixes the masks */")
  w:open("for (int q = 0; q < %d * n; ++q) {", d.C)
  w:line("%s *plane = mask + (size_t)q * %d;", g.T, d.H * d.W)
  w:open("for (int h = 0; h <= %d; ++h) {", d.H - d.b)
  w:open("for (int w = 0; w <= %d; ++w) {", d.W - d.b)
  w:line("if (nn_rng_uniform(s->rng) >= %s) continue;", g.dlit(d.gamma))
  for i = 0, d.b - 1 do
    local cells = {}
    for j = 0, d.b - 1 do cells[#cells + 1] = string.format("plane[(h + %d) * %d + w + %d] = %s;", i, d.W, j, g.zero) end
    w:line(table.concat(cells, " "))
  end
  w:close()
  w:close()
  w:close()
  w:line("size_t kept = 0;")
  w:line("for (size_t i = 0; i < len; ++i) kept += mask[i] != %s;", g.zero)
  w:line("const %s scale = kept ? (%s)len / (%s)kept : %s;", g.T, g.T, g.T, g.zero)
  w:line("for (size_t i = 0; i < len; ++i) mask[i] *= scale;")
  w:close()
  w:line("#pragma omp parallel for")
  w:line("for (size_t i = 0; i < len; ++i) y[i] = x[i] * mask[i];")
end

function op.backward(node, w, g)
  util.mask_backward(node, w, g, node.db.C * node.db.H * node.db.W)
end

function op.strategy() return "direct" end

return op
