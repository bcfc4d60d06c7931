-- The Winograd convolution strategies: 3x3 kernels with stride 1, by
-- Winograd's minimal filtering F(m x m, 3x3) with output tiles of m = 2
-- ("winograd-2x2") or 4 ("winograd-4x4"); transforms in
-- runtime/nn_winograd.h. Per m x m output tile, with a = m + 2, it needs
-- a^2 multiplications per channel pair where im2col-gemm needs 9 m^2 (16 for
-- 36, 36 for 144), and the products are a^2 GEMMs, one per position of the
-- transformed a x a patch:
--   m[xi] (cout x tiles) = u[xi] (cout x cin) * v[xi] (cin x tiles).
-- Backward runs the same steps transposed, so it is exact in exact arithmetic:
--   dm = A dy A^T;  du[xi] = dm[xi] * v[xi]^T, dw = G^T du G (+= when accumulating);
--   dv[xi] = u[xi]^T * dm[xi], dx += B dv B^T.
-- Workspace: v and m (or dm) over the batch, then u and du. Patch positions
-- lie 16 elements more than a matrix apart (see runtime/nn_winograd.h).
local util = require("ops.util")

local winograd = {}

winograd.TILES = { ["winograd-2x2"] = 2, ["winograd-4x4"] = 4 }

-- Elements between the positions of v, m, u and du, beyond a matrix: the
-- transforms' WINOGRAD_SKEW.
local SKEW = 16

-- Elements between the patch positions of u and du.
local function weight_stride(c)
  return c.cout * c.cin + SKEW
end

-- Output tile size, patch positions and output tiles of one image (rows, columns).
local function geometry(c)
  local m = winograd.TILES[c.strategy]
  return m, (m + 2) * (m + 2), (c.Ho + m - 1) // m, (c.Wo + m - 1) // m
end

-- Whether the strategies apply, and if not why (for a spec that forces one).
function winograd.problem(c)
  if c.kh ~= 3 or c.kw ~= 3 then return "needs a 3x3 kernel" end
  if c.sh ~= 1 or c.sw ~= 1 then return "needs stride 1" end
  return nil
end

-- Workspace: per image (v, and m or dm) and fixed (u, du, the skews).
function winograd.work(c)
  local _, positions, th, tw = geometry(c)
  return positions * th * tw * (c.cin + c.cout), positions * (2 * c.cout * c.cin + 4 * SKEW)
end

-- Pointers into the workspace, and the distance between the patch positions
-- of v and of m; nt (tiles over the batch) sizes the GEMMs.
local function declare(w, g, c, out)
  local m, positions, th, tw = geometry(c)
  w:line("const int nt = n * %d; /* %dx%d tiles of %dx%d outputs per image */", th * tw, th, tw, m, m)
  w:line("const size_t vs = (size_t)%d * nt + %d, ms = (size_t)%d * nt + %d; /* position strides */", c.cin, SKEW,
    c.cout, SKEW)
  w:line("%s *v = s->work; /* [%d][%d][nt], positions vs apart */", g.T, positions, c.cin)
  w:line("%s *%s = v + %d * vs; /* [%d][%d][nt], positions ms apart */", g.T, out, positions, positions, c.cout)
  w:line("%s *u = %s + %d * ms; /* [%d][%d][%d], positions %d apart */", g.T, out, positions, positions, c.cout, c.cin,
    weight_stride(c))
end

-- The C function of one transform: wino2_input, wino4_output_grad, ...
local function helper(c, kind)
  return string.format("wino%d_%s", geometry(c), kind)
end

local function input_transform(w, c)
  local _, _, th, tw = geometry(c)
  w:line("%s(v, x, %d * n, %d, %d, %d, %d, %d, %d);", helper(c, "input"), c.cin, c.H, c.W, th, tw, c.pt, c.pl)
end

-- One GEMM per patch position: a (rows x inner) times b (inner x cols). The
-- positions are shared among the threads, each GEMM on one (OpenBLAS runs
-- single-threaded inside a parallel region): 15-20% faster than threading
-- every GEMM in turn, which synchronizes the threads 16 or 36 times.
local function gemms(w, g, c, rows, cols, inner, a, trans_a, b, trans_b, dst)
  local _, positions = geometry(c)
  local lda = trans_a and rows or inner
  local ldb = trans_b and inner or cols
  w:line("#pragma omp parallel for schedule(static)")
  w:line("for (int xi = 0; xi < %d; ++xi)", positions)
  w:line("    %s(CblasRowMajor, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);", g.gemm,
    trans_a and "CblasTrans" or "CblasNoTrans", trans_b and "CblasTrans" or "CblasNoTrans",
    rows, cols, inner, g.one, a, lda, b, ldb, g.zero, dst, cols)
end

-- The offset of position xi in v, m (or dm), u or du.
local function at(c, name)
  local distance = { v = "vs", m = "ms", dm = "ms", u = weight_stride(c), du = weight_stride(c) }
  return string.format("%s + xi * %s", name, distance[name])
end

function winograd.forward(node, w, g)
  local c = node.conv
  local _, _, th, tw = geometry(c)
  declare(w, g, c, "m")
  w:line("%s(u, w, %d, %d);", helper(c, "weights"), c.cout, c.cin)
  input_transform(w, c)
  gemms(w, g, c, tostring(c.cout), "nt", tostring(c.cin), at(c, "u"), false, at(c, "v"), false, at(c, "m"))
  w:line("%s(y, m, %s, %d, n, %d * n, %d, %d, %d, %d);", helper(c, "output"), c.bias and "b" or "NULL",
    util.fused_relu(node) and 1 or 0, c.cout, c.Ho, c.Wo, th, tw)
end

function winograd.backward(node, w, g)
  local c = node.conv
  local _, positions, th, tw = geometry(c)
  declare(w, g, c, "dm")
  w:line("%s *du = u + %d; /* [%d][%d][%d], positions %d apart */", g.T, positions * weight_stride(c),
    positions, c.cout, c.cin, weight_stride(c))
  w:line("%s(dm, dy, %d * n, %d, %d, %d, %d);", helper(c, "output_grad"), c.cout, c.Ho, c.Wo, th, tw)
  w:open("if (%s) {", util.trains(node, "weight"))
  input_transform(w, c)
  gemms(w, g, c, tostring(c.cout), tostring(c.cin), "nt", at(c, "dm"), false, at(c, "v"), true, at(c, "du"))
  w:line("%s(dw, du, %d, %d, %s);", helper(c, "weights_grad"), c.cout, c.cin, util.ACCUMULATE)
  w:close()
  w:open("if (need_dx) {")
  w:line("%s(u, w, %d, %d);", helper(c, "weights"), c.cout, c.cin)
  gemms(w, g, c, tostring(c.cin), "nt", tostring(c.cout), at(c, "u"), true, at(c, "dm"), false, at(c, "v"))
  w:line("%s(dx, v, %d * n, %d, %d, %d, %d, %d, %d, %d);", helper(c, "input_grad"), c.cin, c.H, c.W, th, tw, c.pt,
    c.pl, util.assigns_dx(node) and 0 or 1)
  w:close()
end

return winograd
