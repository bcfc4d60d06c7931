-- The "depthwise" strategy: a convolution with one group per input channel
-- (groups = cin, cout = m * cin), as MobileNet's. Output channel co reads input
-- channel co / m alone, so there is no GEMM to make: each (channel, image)
-- plane is a loop over the window offsets, and for each offset over the output
-- columns whose input column is inside the plane (valid_columns), which GCC
-- vectorizes at stride 1. Every size is a literal; dilation is in the offsets.
-- conv_core declares x, w, b, y (dy, dw, db, dx) and, going back, has already
-- summed the bias gradient and applied a fused relu's mask to dy.
local util = require("ops.util")

local depthwise = {}

function depthwise.applies(c)
  return c.groups == c.cin
end

-- "a * s + b * d - p" with the factors of 1 and the terms of 0 left out.
local function index(terms, p)
  local parts = {}
  for _, t in ipairs(terms) do
    parts[#parts + 1] = t[2] == 1 and t[1] or string.format("%s * %d", t[1], t[2])
  end
  local text = table.concat(parts, " + ")
  return p == 0 and text or string.format("%s - %d", text, p)
end

-- The window offsets' valid output columns of one plane: lo[kj], hi[kj].
local function columns(w, c)
  w:line("int lo[%d], hi[%d];", c.kw, c.kw)
  w:line("for (int kj = 0; kj < %d; ++kj) valid_columns(%d, %d, %d, %s, &lo[kj], &hi[kj]);",
    c.kw, c.W, c.Wo, c.sw, index({ { "kj", c.dil_w } }, c.pl))
end

-- The input column of output column ow at window offset `off`.
local function input_column(c)
  return string.format("ih * %d + %s + off", c.W, index({ { "ow", c.sw } }, 0))
end

-- Loops over output rows oh and window offsets (ki, kj) with the input row ih
-- inside the plane, around stmt: one statement over output column ow, whose
-- input column is ow * sw + off.
local function window_loops(w, c, stmt)
  w:open("for (int oh = 0; oh < %d; ++oh) {", c.Ho)
  w:open("for (int ki = 0; ki < %d; ++ki) {", c.kh)
  w:line("const int ih = %s;", index({ { "oh", c.sh }, { "ki", c.dil_h } }, c.pt))
  w:line("if (ih < 0 || ih >= %d) continue;", c.H)
  w:open("for (int kj = 0; kj < %d; ++kj) {", c.kw)
  w:line("const int off = %s;", index({ { "kj", c.dil_w } }, c.pl))
  w:line("for (int ow = lo[kj]; ow < hi[kj]; ++ow) %s", stmt)
  w:close()
  w:close()
  w:close()
end

-- The pointers of output channel co and image i: the input plane xp (with_x),
-- the output's (or its gradient's) plane `out`p, the kernel wc (with_w).
local function planes(w, g, c, out, with_x, with_w)
  local m = c.cout // c.cin
  local ci = m == 1 and "co" or string.format("(co / %d)", m)
  if with_x then w:line("const %s *xp = x + ((size_t)%s * n + i) * %d;", g.T, ci, c.H * c.W) end
  w:line("%s%s *%sp = %s + ((size_t)co * n + i) * %d;", out == "y" and "" or "const ", g.T, out, out, c.P)
  if with_w then w:line("const %s *wc = w + (size_t)co * %d;", g.T, c.kh * c.kw) end
end

function depthwise.forward(node, w, g)
  local c = node.conv
  w:line("#pragma omp parallel for")
  w:open("for (int q = 0; q < %d * n; ++q) {", c.cout)
  w:line("const int co = q / n, i = q % n;")
  planes(w, g, c, "y", true, true)
  columns(w, c)
  w:line("for (int j = 0; j < %d; ++j) yp[j] = %s;", c.P, c.bias and "b[co]" or g.zero)
  window_loops(w, c, string.format("yp[oh * %d + ow] += wc[ki * %d + kj] * xp[%s];", c.Wo, c.kw, input_column(c)))
  if util.fused_relu(node) then
    w:line("for (int j = 0; j < %d; ++j) yp[j] = yp[j] > %s ? yp[j] : %s;", c.P, g.zero, g.zero)
  end
  w:close()
end

-- dw[co] sums dy times x over the batch; each output channel's thread owns it.
local function weight_gradient(node, w, g)
  local c = node.conv
  w:open("if (%s) {", util.trains(node, "weight"))
  w:line("#pragma omp parallel for")
  w:open("for (int co = 0; co < %d; ++co) {", c.cout)
  w:line("%s acc[%d] = { 0 };", g.T, c.kh * c.kw)
  columns(w, c)
  w:open("for (int i = 0; i < n; ++i) {")
  planes(w, g, c, "dy", true, false)
  window_loops(w, c, string.format("acc[ki * %d + kj] += dyp[oh * %d + ow] * xp[%s];", c.kw, c.Wo, input_column(c)))
  w:close()
  w:line("for (int k = 0; k < %d; ++k) put_grad(s, &dw[(size_t)co * %d + k], acc[k]);", c.kh * c.kw, c.kh * c.kw)
  w:close()
  w:close()
end

-- dx of input channel ci and image i gathers its m output channels: each
-- (channel, image) plane has one thread.
local function input_gradient(node, w, g)
  local c = node.conv
  local m = c.cout // c.cin
  w:open("if (need_dx) {")
  w:line("#pragma omp parallel for")
  w:open("for (int p = 0; p < %d * n; ++p) {", c.cin)
  w:line("%s *dxp = dx + (size_t)p * %d;", g.T, c.H * c.W)
  if util.assigns_dx(node) then w:line("memset(dxp, 0, sizeof(%s) * %d);", g.T, c.H * c.W) end
  columns(w, c)
  w:open("for (int r = 0; r < %d; ++r) {", m)
  w:line("const int co = %s + r, i = p %% n;", m == 1 and "p / n" or string.format("p / n * %d", m))
  planes(w, g, c, "dy", false, true)
  window_loops(w, c, string.format("dxp[%s] += wc[ki * %d + kj] * dyp[oh * %d + ow];", input_column(c), c.kw, c.Wo))
  w:close()
  w:close()
  w:close()
end

function depthwise.backward(node, w, g)
  weight_gradient(node, w, g)
  input_gradient(node, w, g)
end

return depthwise
