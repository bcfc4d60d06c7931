-- flatten{}: (C x H x W) or (C x L) to a vector in PyTorch's order (c, h, w);
-- a layout change from channel-major x[c][n][S] to y[n][c*S + s].
local util = require("ops.util")

local op = { positional = {}, keys = {} }

function op.infer(node, shape)
  local size = util.numel(shape)
  node.flat = { C = shape[1], S = size // shape[1], vector = #shape == 1 }
  node.desc = "flatten"
  return { size }
end

-- The threads split the images going forward and the channels going back,
-- as the neighbouring layer does: a convolution writes x image by image, a
-- max pool's backward reads dx plane by plane, channel-major (on fmnist_cnn
-- at batch 64 the forward by images takes a third of the time by channels).
-- A single channel goes by images both ways: there is nothing else to split.
local function loops(node, w, stmt, by_image)
  local f = node.flat
  w:line("#pragma omp parallel for")
  if by_image then
    w:open("for (int i = 0; i < n; ++i) {")
    w:open("for (int c = 0; c < %d; ++c) {", f.C)
  else
    w:open("for (int c = 0; c < %d; ++c) {", f.C)
    w:open("for (int i = 0; i < n; ++i) {")
  end
  w:line("for (int s = 0; s < %d; ++s) %s", f.S,
    stmt("((size_t)c * n + i) * " .. f.S .. " + s", "(size_t)i * " .. f.C * f.S .. " + c * " .. f.S .. " + s"))
  w:close()
  w:close()
end

function op.forward(node, w, g)
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  if node.flat.vector then
    w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) y[i] = x[i];", node.flat.C)
    return
  end
  loops(node, w, function(src, dst) return string.format("y[%s] = x[%s];", dst, src) end, true)
end

function op.backward(node, w, g)
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  if node.flat.vector then
    w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) dx[i] %s dy[i];", node.flat.C, util.dx_op(node))
    return
  end
  loops(node, w, function(src, dst) return string.format("dx[%s] %s dy[%s];", src, util.dx_op(node), dst) end,
    node.flat.C == 1)
end

function op.strategy() return "copy" end

return op
