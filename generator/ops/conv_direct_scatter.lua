-- The backward of a direct convolution that takes the 2x2 max pool after it
-- (util.pools, fuse.lua), where its input channels come in whole vectors:
-- the pool passes each window's gradient to the window's maximum only, so at
-- most a quarter of dy is nonzero (and the relu before the pool zeroes
-- more). Rather than correlating all of dy as the dense kernels do
-- (ops/conv_direct.lua, ops/conv_direct_weights.lua), each window's gradient
-- g, at its maximum (oh, ow), is scattered:
--   dw[co][a][b][ci]      += g * x[oh + a][ow + b][ci]
--   dx[oh + a][ow + b][ci] += g * w[co][a][b][ci]
-- with vectors across input channels, from channels-last copies of x and
-- into one of dx (padded planes, so that every tap is in them). On
-- fmnist_cnn's 32-to-64 layer this backward takes about half the time of
-- the dense kernels' (make bench PROFILE=1).
--
-- The weight gradient keeps a tile of dw (one output channel x the taps of
-- some kernel rows x some vectors of input channels) in registers through an
-- image's windows: one load of x per multiply-add. Images go one after the
-- other, so that the image's x stays in L1 while every tile reads it; each
-- thread keeps its tiles for every image (a static schedule), so the sums run
-- in image order whatever the thread count. The input gradient holds a tile
-- of the weights in registers; threads split the images, each scattering
-- into its image's channels-last dx, which is then copied out.
local util = require("ops.util")
local tiles = require("ops.conv_tiles")
local regtile = require("ops.conv_regtile")

local scatter = {}

-- Whether the layer's backward takes this form: it takes the pool's backward,
-- its input channels are whole vectors of the widest width `widest` (so of
-- every width), and a kernel row fits the narrowest width's accumulators.
function scatter.applies(c, widest, widths)
  return c.pooled ~= nil and c.cin % widest == 0 and c.kw <= widths[#widths].accumulators
end

-- The padded planes the scatter works in: every (oh + a, ow + b).
local function plane(c)
  return { rows = c.Ho + c.kh - 1, cols = c.Wo + c.kw - 1 }
end

-- Workspace per image: the windows' gradients and where they scatter (int32
-- in slots of real), and the channels-last x or dx; fixed: dw's sums or the
-- weights, channels-last.
function scatter.work(c)
  local q, windows = plane(c), (c.pooled.rows // 2) * (c.pooled.cols // 2)
  return 2 * c.cout * windows + q.rows * q.cols * c.cin, c.cout * c.kh * c.kw * c.cin
end

-- The register tile for one vector width: the taps of `rows` kernel rows x
-- tv vectors of input channels, the most that fit the accumulators (whole
-- kernels where they fit).
local function tile(vw, c)
  local rows = c.kh * c.kw <= vw.accumulators and c.kh or 1
  local vectors = c.cin // vw.lanes
  local tv = tiles.largest(tiles.upto(vectors), function(v)
    return vectors % v == 0 and rows * c.kw * v <= vw.accumulators
  end, 1)
  return { rows = rows, tv = tv, lanes = vw.lanes, blocks = vectors // tv, groups = c.kh // rows }
end

-- Each window's gradient, zero where the pool's output is not positive (the
-- relu before it), and where it scatters: the first input under its maximum
-- in the padded plane. In [image][channel][window] order, the order the
-- scatters read them.
local function gather(w, g, c, p, q)
  local windows = p.Ho * p.Wo
  w:line("%s *gs = s->work; /* the windows' gradients: [n][%d][%d] */", g.T, c.cout, windows)
  w:line("int32_t *at = (int32_t *)(gs + (size_t)n * %d); /* where each scatters: [n][%d][%d] */", c.cout * windows,
    c.cout, windows)
  w:line("#pragma omp parallel for schedule(static)")
  w:open("for (int i = 0; i < n; ++i) {")
  w:open("for (int co = 0; co < %d; ++co) {", c.cout)
  w:line("const size_t j = ((size_t)co * n + i) * %d, t = ((size_t)i * %d + co) * %d;", windows, c.cout, windows)
  w:open("for (int k = 0; k < %d; ++k) {", windows)
  w:line("gs[t + k] = py[j + k] > 0 ? pg[j + k] : 0;")
  w:line("at[t + k] = parg[j + k] / %d * %d + parg[j + k] %% %d;", c.Wo, q.cols, c.Wo)
  w:close()
  w:close()
  w:close()
end

-- The loop over image i's windows for output channel co, skipping the zeros,
-- with `per_tap(a, b)` emitting each tap's work at the window's maximum:
-- `pointer` (a C declaration, such as "const float *xq") into the
-- channels-last plane `base`, from the tile's first channel (`first`).
local function windows_of(w, g, c, p, t, pointer, base, first, per_tap)
  local windows = p.Ho * p.Wo
  w:line("const %s *gi = gs + ((size_t)i * %d + co) * %d;", g.T, c.cout, windows)
  w:line("const int32_t *ai = at + ((size_t)i * %d + co) * %d;", c.cout, windows)
  w:open("for (int k = 0; k < %d; ++k) {", windows)
  w:line("const %s gv = gi[k];", g.T)
  w:line("if (gv == 0) continue; /* (a NaN is scattered) */")
  w:line("%s = %s + (size_t)ai[k] * %d%s;", pointer, base, c.cin, first)
  w:line("vwide %s;", regtile.names("v", t.tv))
  for a = 0, t.rows - 1 do
    for b = 0, c.kw - 1 do per_tap(a, b) end
  end
  w:close()
end

-- The offsets of tap (a, b) of a tile and of its vector v: in the padded
-- channels-last plane (cols wide) and in the channels-last kernel.
local function plane_offset(c, q, a, b, v, lanes) return (a * q.cols + b) * c.cin + v * lanes end
local function kernel_offset(c, a, b, v, lanes) return (a * c.kw + b) * c.cin + v * lanes end

-- One line per tap of a tile, of `statement(tap, v, offset)` for each of its
-- vectors v, offset being the vector's place in the channels-last kernel.
local function kernel_lines(w, c, t, statement)
  regtile.rows(w, t.rows * c.kw, t.tv, function(tap, v)
    return statement(tap, v, kernel_offset(c, tap // c.kw, tap % c.kw, v, t.lanes))
  end)
end

-- The tile's first channel in a channels-last plane, and in dw's sums or the
-- channels-last kernel of one output channel: from input channel block cb
-- and kernel row group rg, where there are several.
local function tile_start(c, q, t)
  local plane_terms, kernel_terms = {}, {}
  if t.groups > 1 then
    plane_terms[#plane_terms + 1] = string.format("rg * %d", t.rows * q.cols * c.cin)
    kernel_terms[#kernel_terms + 1] = string.format("rg * %d", t.rows * c.kw * c.cin)
  end
  if t.blocks > 1 then
    local block = string.format("cb * %d", t.tv * t.lanes)
    plane_terms[#plane_terms + 1], kernel_terms[#kernel_terms + 1] = block, block
  end
  local function sum(terms) return #terms > 0 and " + " .. table.concat(terms, " + ") or "" end
  return sum(plane_terms), sum(kernel_terms)
end

-- The C that decodes a tile number `tile` into cb and rg (where there are
-- several): cb varies fastest.
local function tile_indices(w, t)
  if t.blocks > 1 then w:line("const int cb = tile %% %d;", t.blocks) end
  if t.groups > 1 then w:line("const int rg = tile / %d %% %d;", t.blocks, t.groups) end
end

local function weight_tiles(w, g, c, p, q, vw)
  local t, taps = tile(vw, c), c.kh * c.kw
  local per_co = t.blocks * t.groups
  local in_plane, in_kernel = tile_start(c, q, t)
  w:line("/* tiles: 1 output channel x %dx%d taps x %d vectors of %d input channels */", t.rows, c.kw, t.tv, t.lanes)
  w:line("#pragma omp parallel")
  w:open("{")
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("const %s *xi = xt + (size_t)i * %d;", g.T, q.rows * q.cols * c.cin)
  w:line("/* a static schedule gives each thread the same tiles for every image: no barrier */")
  w:line("#pragma omp for schedule(static) nowait")
  w:open("for (int tile = 0; tile < %d; ++tile) {", c.cout * per_co)
  w:line("const int co = tile / %d;", per_co)
  tile_indices(w, t)
  w:line("%s *acc = dwt + (size_t)co * %d%s;", g.T, taps * c.cin, in_kernel)
  regtile.declare(w, "a", t.rows * c.kw, t.tv)
  kernel_lines(w, c, t, function(tap, v, at) return string.format("vwload(&a[%d][%d], acc + %d);", tap, v, at) end)
  windows_of(w, g, c, p, t, "const " .. g.T .. " *xq", "xi", in_plane, function(a, b)
    local terms = {}
    for v = 0, t.tv - 1 do terms[#terms + 1] = regtile.fma("a", a * c.kw + b, v, "gv * v" .. v) end
    local loads = regtile.loads("v", t.tv, "xq", function(v) return plane_offset(c, q, a, b, v, t.lanes) end)
    w:line("%s %s /* tap (%d, %d) */", loads, table.concat(terms, " "), a, b)
  end)
  kernel_lines(w, c, t, function(tap, v, at)
    return string.format("memcpy(acc + %d, &a[%d][%d], sizeof a[0][0]);", at, tap, v)
  end)
  w:close()
  w:close()
  w:close()
end

local function input_tiles(w, g, c, p, q, vw, accumulate)
  local t, taps = tile(vw, c), c.kh * c.kw
  local in_plane, in_kernel = tile_start(c, q, t)
  local image = q.rows * q.cols * c.cin
  w:line("/* tiles: 1 output channel x %dx%d taps x %d vectors of %d input channels, in registers */", t.rows, c.kw,
    t.tv, t.lanes)
  w:line("#pragma omp parallel for schedule(static)")
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("%s *d = xt + (size_t)i * %d; /* its dx */", g.T, image)
  w:line("memset(d, 0, sizeof(%s) * %d);", g.T, image)
  w:open("for (int tile = 0; tile < %d; ++tile) {", t.blocks * t.groups)
  tile_indices(w, t)
  w:open("for (int co = 0; co < %d; ++co) {", c.cout)
  w:line("const %s *wc = wt + (size_t)co * %d%s;", g.T, taps * c.cin, in_kernel)
  regtile.declare(w, "r", t.rows * c.kw, t.tv)
  kernel_lines(w, c, t, function(tap, v, at) return string.format("vwload(&r[%d][%d], wc + %d);", tap, v, at) end)
  windows_of(w, g, c, p, t, g.T .. " *dq", "d", in_plane, function(a, b)
    local parts = {}
    for v = 0, t.tv - 1 do
      local at = plane_offset(c, q, a, b, v, t.lanes)
      parts[#parts + 1] = string.format("vwload(&v%d, dq + %d); v%d += gv * r[%d][%d]; memcpy(dq + %d, &v%d, sizeof v%d);",
        v, at, v, a * c.kw + b, v, at, v, v)
    end
    w:line("%s /* tap (%d, %d) */", table.concat(parts, " "), a, b)
  end)
  w:close()
  w:close()
  w:line("from_channels_last(dx + (size_t)i * %d, (size_t)n * %d, d, %d, %d, %d, %d, %d, %d, %d);", c.H * c.W,
    c.H * c.W, c.cin, c.H, c.W, q.cols, c.pt, c.pl, accumulate and 1 or 0)
  w:close()
end

-- The backward. per_width(w, emit) writes emit(k)'s code for each vector
-- width WIDTHS[k]; fixed is the fixed workspace (a C expression).
function scatter.backward(w, g, node, fixed, widths, per_width)
  local c, p = node.conv, util.pools(node)
  local q, taps = plane(c), c.kh * c.kw
  local weight = util.trains(node, "weight")
  if c.bias then
    w:line("if (%s) sum_rows(db, pg, py, %d, n * %d, %s);", util.trains(node, "bias"), c.cout, p.Ho * p.Wo,
      util.ACCUMULATE)
  end
  w:open("if (%s || need_dx) {", weight)
  gather(w, g, c, p, q)
  local image = q.rows * q.cols * c.cin
  w:line("%s *xt = gs + (size_t)n * %d; /* x, then dx: channels-last and padded, [n][%d][%d][%d] */", g.T,
    2 * c.cout * p.Ho * p.Wo, q.rows, q.cols, c.cin)
  w:open("if (%s) {", weight)
  w:line("#pragma omp parallel for schedule(static)")
  w:line("for (int i = 0; i < n; ++i)")
  w:line("    to_channels_last(xt + (size_t)i * %d, x + (size_t)i * %d, (size_t)n * %d, %d, %d, %d, %d, %d, %d, %d);",
    image, c.H * c.W, c.H * c.W, c.cin, c.H, c.W, q.rows, q.cols, c.pt, c.pl)
  w:line("%s *dwt = %s; /* the sums: [%d][%d][%d][%d] */", g.T, fixed, c.cout, c.kh, c.kw, c.cin)
  w:line("memset(dwt, 0, sizeof(%s) * %d);", g.T, c.cout * taps * c.cin)
  per_width(w, function(k) weight_tiles(w, g, c, p, q, widths[k]) end)
  w:line("for (int co = 0; co < %d; ++co)", c.cout)
  w:line("    for (int ci = 0; ci < %d; ++ci)", c.cin)
  w:line("        for (int t = 0; t < %d; ++t) put_grad(s, &dw[(co * %d + ci) * %d + t], dwt[(co * %d + t) * %d + ci]);",
    taps, c.cin, taps, taps, c.cin)
  w:close()
  w:open("if (need_dx) {")
  w:line("%s *wt = %s; /* the weights, channels-last: [%d][%d][%d][%d] */", g.T, fixed, c.cout, c.kh, c.kw, c.cin)
  w:line("#pragma omp parallel for schedule(static)")
  w:line("for (int co = 0; co < %d; ++co)", c.cout)
  w:line("    for (int ci = 0; ci < %d; ++ci)", c.cin)
  w:line("        for (int t = 0; t < %d; ++t) wt[(co * %d + t) * %d + ci] = w[(co * %d + ci) * %d + t];", taps, taps,
    c.cin, c.cin, taps)
  per_width(w, function(k) input_tiles(w, g, c, p, q, widths[k], not util.assigns_dx(node)) end)
  w:close()
  w:close()
end

return scatter
