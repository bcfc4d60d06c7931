-- The "winograd" convolution strategy: 3x3 kernels with stride 1, by
-- Winograd's minimal filtering F(2x2, 3x3) (transforms in
-- emit/winograd_helpers.lua). Per 2x2 output tile it needs 16 multiplications
-- per channel pair where im2col-gemm needs 36, and the products are 16 GEMMs,
-- one per position of the 4x4 transformed patch:
--   m[xi] (cout x tiles) = u[xi] (cout x cin) * v[xi] (cin x tiles).
-- Backward runs the same steps transposed, so it is exact in exact arithmetic:
--   dm = A dy A^T;  du[xi] = dm[xi] * v[xi]^T, dw += G^T du G;
--   dv[xi] = u[xi]^T * dm[xi], dx += B dv B^T.
-- Workspace: v and m (or dm) over the batch, then u and du. Patch positions
-- lie 16 elements more than a matrix apart (see winograd_helpers).
local util = require("ops.util")

local winograd = {}

local POSITIONS = 16 -- of the 4x4 transformed patch
local SKEW = 16 -- elements between the positions of v, m, u and du

-- Output tiles of one image: rows and columns.
local function tiles(c)
  return (c.Ho + 1) // 2, (c.Wo + 1) // 2
end

-- Whether the strategy applies, and if not why (for a spec that forces it).
function winograd.problem(c)
  if c.kh ~= 3 or c.kw ~= 3 then return "needs a 3x3 kernel" end
  if c.sh ~= 1 or c.sw ~= 1 then return "needs stride 1" end
  return nil
end

-- Workspace: per image (v, and m or dm) and fixed (u, du).
function winograd.work(c)
  local th, tw = tiles(c)
  return POSITIONS * th * tw * (c.cin + c.cout), POSITIONS * (2 * c.cout * c.cin + 4 * SKEW) -- u, du, the skews
end

-- Pointers into the workspace, and the distance between the patch positions
-- of v and of m; nt (tiles over the batch) sizes the GEMMs.
local function declare(w, g, c, out)
  local th, tw = tiles(c)
  w:line("const int nt = n * %d; /* %dx%d tiles of 2x2 outputs per image */", th * tw, th, tw)
  w:line("const size_t vs = (size_t)%d * nt + %d, ms = (size_t)%d * nt + %d; /* position strides */", c.cin, SKEW,
    c.cout, SKEW)
  w:line("%s *v = s->work; /* [16][%d][nt], positions vs apart */", g.T, c.cin)
  w:line("%s *%s = v + 16 * vs; /* [16][%d][nt], positions ms apart */", g.T, out, c.cout)
  w:line("%s *u = %s + 16 * ms; /* [16][%d][%d], positions %d apart */", g.T, out, c.cout, c.cin, c.cout * c.cin + SKEW)
end

local function input_transform(w, c)
  local th, tw = tiles(c)
  w:line("wino_input(v, x, %d * n, %d, %d, %d, %d, %d, %d);", c.cin, c.H, c.W, th, tw, c.pt, c.pl)
end

-- One GEMM per patch position: a (rows x inner) times b (inner x cols).
local function gemms(w, g, rows, cols, inner, a, trans_a, b, trans_b, dst, beta)
  local lda = trans_a and rows or inner
  local ldb = trans_b and inner or cols
  w:line("for (int xi = 0; xi < %d; ++xi)", POSITIONS)
  w:line("    %s(CblasRowMajor, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);", g.gemm,
    trans_a and "CblasTrans" or "CblasNoTrans", trans_b and "CblasTrans" or "CblasNoTrans",
    rows, cols, inner, g.one, a, lda, b, ldb, beta, dst, cols)
end

-- The offset of position xi in v, m (or dm), u or du.
local function at(c, name)
  local distance = { v = "vs", m = "ms", dm = "ms", u = c.cout * c.cin + SKEW, du = c.cout * c.cin + SKEW }
  return string.format("%s + xi * %s", name, distance[name])
end

function winograd.forward(node, w, g)
  local c = node.conv
  local th, tw = tiles(c)
  for _, h in ipairs({ "wino_weights", "wino_row", "wino_input", "wino_output" }) do g.need(h) end
  declare(w, g, c, "m")
  w:line("wino_weights(u, w, %d, %d);", c.cout, c.cin)
  input_transform(w, c)
  gemms(w, g, tostring(c.cout), "nt", tostring(c.cin), at(c, "u"), false, at(c, "v"), false,
    at(c, "m"), g.zero)
  w:line("wino_output(y, m, %s, %d, n, %d * n, %d, %d, %d, %d);", c.bias and "b" or "NULL",
    node.fused_relu and 1 or 0, c.cout, c.Ho, c.Wo, th, tw)
end

function winograd.backward(node, w, g)
  local c = node.conv
  local th, tw = tiles(c)
  for _, h in ipairs({ "wino_weights", "wino_weights_grad", "wino_row", "wino_input", "wino_input_grad",
    "wino_output_grad" }) do
    g.need(h)
  end
  declare(w, g, c, "dm")
  w:line("%s *du = u + %d; /* [16][%d][%d], positions %d apart */", g.T, POSITIONS * (c.cout * c.cin + SKEW),
    c.cout, c.cin, c.cout * c.cin + SKEW)
  w:line("wino_output_grad(dm, dy, %d * n, %d, %d, %d, %d);", c.cout, c.Ho, c.Wo, th, tw)
  w:open("if (%s) {", util.trains(node, "weight"))
  input_transform(w, c)
  gemms(w, g, tostring(c.cout), tostring(c.cin), "nt", at(c, "dm"), false, at(c, "v"), true,
    at(c, "du"), g.zero)
  w:line("wino_weights_grad(dw, du, %d, %d);", c.cout, c.cin)
  w:close()
  w:open("if (need_dx) {")
  w:line("wino_weights(u, w, %d, %d);", c.cout, c.cin)
  gemms(w, g, tostring(c.cin), "nt", tostring(c.cout), at(c, "u"), true, at(c, "dm"), false,
    at(c, "v"), g.zero)
  w:line("wino_input_grad(dx, v, %d * n, %d, %d, %d, %d, %d, %d);", c.cin, c.H, c.W, th, tw, c.pt, c.pl)
  w:close()
end

return winograd
