-- The "direct" convolution strategy (stride 1): no im2col and no GEMM, for
-- the stems of image networks (a few input channels, where GEMM's inner
-- dimension cin*kh*kw is small) and for small layers with few channels.
--
-- The kernels work on "wide" planes: an image's padded input plane is read
-- as one row of Hp*Wp values, and the output position (oh, ow) sits at
-- q = oh*Wp + ow, so a vector of consecutive q runs across output rows and
-- every window tap (a, b) is the same vector shifted by a*Wp + b. The
-- columns ow >= Wo of each wide row are computed and dropped when the rows
-- are copied out (Wp - Wo = kw - 1 - min(pl, pr) of every Wp: 2 of 13 for a
-- 3x3 layer on 13x13), in exchange for full vectors on every row length.
-- Every buffer a kernel reads is padded into the workspace with zero rows
-- enough below it that the last vector never leaves its plane.
--
-- Register tiles: TCO output channels x TV vectors (16 or 8 lanes, see
-- WIDTHS) of one image; per tap, TV loads and TCO*TV fused multiply-adds
-- with the weight broadcast. The input gradient is the same kernel over the
-- output gradient padded by k-1-p, with the kernel read flipped and
-- transposed (a full correlation). The weight gradient is in
-- ops/conv_direct_weights.lua, and the forward of layers with many input
-- channels under a 2x2 max pool in ops/conv_direct_pooled.lua.
local util = require("ops.util")
local weights = require("ops.conv_direct_weights")
local pooled = require("ops.conv_direct_pooled")
local scatter = require("ops.conv_direct_scatter")
local tiles = require("ops.conv_tiles")
local regtile = require("ops.conv_regtile")

local direct = {}

-- The kernels are written out for two vector widths, and runtime/nn_vec.h's
-- WIDE_LANES picks one when the C is compiled: 16 lanes where the target has
-- AVX-512 (32 vector registers), 8 elsewhere (AVX2: 16 registers, so half
-- the accumulators; wider vectors there would spill). The workspace fits both.
local WIDTHS = {
  { lanes = 16, accumulators = 24 },
  { lanes = 8, accumulators = 12 },
}
-- A work item computes a band of whole output rows of TCO channels into a
-- buffer of at most this many values on the thread's stack (16 KiB of
-- floats, so it stays in L1 until it is copied into the output).
local BAND_VALUES = 4096
-- Rows at most this long (padded): a band is at least one row, so this bounds
-- the stack buffer (64 KiB of floats with one channel per tile).
local MAX_ROW = 16384

local WIDEST = WIDTHS[1].lanes
-- Values that max_pool_band (runtime/nn_direct.h) reads past its last row.
local POOL_READS = 16

local ceil_div = util.ceil_div

-- The bands of a tile of tv vectors: as many rows as fit BAND_VALUES, evened
-- out, an even number under a pool.
local function bands_of(t, tv, rows, width, pooled)
  local per_tile = tv * t.lanes
  local band_rows = rows
  while band_rows > 1 and t.tco * ceil_div(band_rows * width, per_tile) * per_tile > BAND_VALUES do
    band_rows = band_rows - 1
  end
  local bands = ceil_div(rows, band_rows)
  band_rows = ceil_div(rows, bands) -- even bands: the last one computes as many tiles
  if pooled and bands > 1 and band_rows % 2 == 1 then
    -- an even number of rows, so that the pool's windows never straddle two bands
    band_rows = band_rows + 1
    bands = ceil_div(rows, band_rows)
  end
  return { tv = tv, band_rows = band_rows, bands = bands, tiles = ceil_div(band_rows * width, per_tile) }
end

-- The tiling, for one vector width, of a wide correlation of planes `rows` x
-- `width` (the outputs rows x out_width) by a kh x kw kernel into `cout`
-- channels: bands of band_rows rows, each in `tiles` tiles of tv vectors.
-- Vectors per tile: the fewest steps for the plane (tiles.step of tco*tv
-- multiply-adds and tv + tco loads), counting what whole tiles add.
local function tiling(vw, rows, width, out_width, kh, kw, cout, pooled)
  local t = { rows = rows, width = width, out_width = out_width, lanes = vw.lanes }
  -- on long rows, fewer channels per tile, so that one row of them fits a band
  t.tco = weights.channels_per_tile(vw, cout, 1, math.max(1, BAND_VALUES // (ceil_div(width, WIDEST) * WIDEST)))
  local candidates = {}
  for tv = 1, math.min(vw.accumulators // t.tco, 6) do candidates[tv] = bands_of(t, tv, rows, width, pooled) end
  local best = tiles.best(candidates,
    function(b) return b.bands * b.tiles * tiles.step(t.tco * b.tv, t.tco + b.tv) end,
    function(b) return b.tv end)
  t.tv, t.band_rows, t.bands, t.tiles = best.tv, best.band_rows, best.bands, best.tiles
  t.band_wide = t.tiles * t.tv * vw.lanes -- wide positions computed per band
  -- the last band's last tap reads up to here
  t.reach = (t.bands - 1) * t.band_rows * width + t.band_wide + (kh - 1) * width + kw - 1
  return t
end

-- Rows a plane `width` long needs: the kernel's, and those the reads reach.
local function plane_rows(rows, kh, width, reaches)
  local n = rows + kh - 1
  for _, r in ipairs(reaches) do n = math.max(n, ceil_div(r, width)) end
  return n
end

-- Geometry: the padded input x (forward, weight gradient) and the padded
-- output gradient dy (input gradient). Rows share their padding
-- columns: a row's right padding and the next row's left padding are the
-- same zeros, so a padded x row is Wp = W + max(pl, pr) long. dy, padded by
-- k-1-p on each side for the input gradient (a full correlation), then has
-- rows Wo + kw - 1 - min(pl, pr) long, which is Wp again.
local function geometry(c)
  local gm = { fwd = {}, bwd = {} }
  gm.Wp = c.W + math.max(c.pl, c.pr)
  gm.dy_top, gm.dy_left = c.kh - 1 - c.pt, c.kw - 1 - c.pl
  local x_reach, dy_reach = { weights.plan(c, gm, WIDTHS, WIDEST) }, {}
  for k, vw in ipairs(WIDTHS) do
    gm.fwd[k] = tiling(vw, c.Ho, gm.Wp, c.Wo, c.kh, c.kw, c.cout, c.pooled)
    gm.bwd[k] = tiling(vw, c.H, gm.Wp, c.W, c.kh, c.kw, c.cin)
    x_reach[#x_reach + 1], dy_reach[#dy_reach + 1] = gm.fwd[k].reach, gm.bwd[k].reach
  end
  gm.x_plane = plane_rows(c.Ho, c.kh, gm.Wp, x_reach) * gm.Wp
  gm.dy_plane = plane_rows(c.H, c.kh, gm.Wp, dy_reach) * gm.Wp
  return gm
end

-- The code for each of the two vector widths, chosen by the preprocessor.
local function per_width(w, emit)
  w:line("#if WIDE_LANES == %d", WIDTHS[1].lanes)
  emit(1)
  w:line("#else /* %d lanes */", WIDTHS[2].lanes)
  emit(2)
  w:line("#endif")
end

-- The tilings of every kernel, for the planner's tests (tests/lua).
direct.geometry = geometry
direct.WIDTHS, direct.BAND_VALUES = WIDTHS, BAND_VALUES

-- Whether the strategy applies, and if not why (for a spec that forces it).
function direct.problem(c)
  if c.sh ~= 1 or c.sw ~= 1 then return "needs stride 1" end
  if math.max(c.pt, c.pb) >= c.kh or math.max(c.pl, c.pr) >= c.kw then
    return "needs padding smaller than the kernel"
  end
  if c.W + math.max(c.pl, c.pr) > MAX_ROW then return string.format("needs rows of at most %d values", MAX_ROW) end
  return nil
end

-- Workspace per image: the padded input (forward); in backward, the padded
-- output gradient and the padded input and what the weight gradient adds
-- (ops/conv_direct_weights.lua), or the scatter's (ops/conv_direct_scatter.lua).
-- Fixed: the weight gradient's sums (channel form and scatter).
local function work(c, gm)
  local per_image, fixed = weights.work(c, gm, c.cout * gm.dy_plane, c.cin * gm.x_plane)
  if pooled.applies(c, WIDEST) then fixed = math.max(fixed, pooled.fixed(c)) end
  if scatter.applies(c, WIDEST, WIDTHS) then
    -- the padded x of the forward, then the scatter's workspace
    local scatter_image, scatter_fixed = scatter.work(c)
    per_image, fixed = math.max(c.cin * gm.x_plane, scatter_image), math.max(fixed, scatter_fixed)
  end
  return per_image, fixed
end

function direct.work(c)
  return work(c, geometry(c))
end

-- Whether the backward scatters from the windows of the max pool the layer computes.
function direct.scatters(c)
  return scatter.applies(c, WIDEST, WIDTHS)
end

-- The fixed workspace, after the per-image part for n images.
local function fixed_workspace(c, gm)
  return string.format("s->work + (size_t)n * %d", work(c, gm))
end

direct.reads_dy_in_place = weights.reads_dy_in_place

-- Copy `planes` planes of h x w into zeroed planes of `plane` values, rows wp
-- long, at (top, left).
local function pad(w, dst, src, planes, h, wd, plane, wp, top, left)
  w:line("#pragma omp parallel for")
  w:line("for (int p = 0; p < %s; ++p)", planes)
  w:line("    pad_plane(%s + (size_t)p * %d, %s + (size_t)p * %d, NULL, %d, %d, %d, %d, %d, %d);", dst, plane, src, h * wd,
    h, wd, plane // wp, wp, top, left)
end

-- The rows of band `band` when bands have per_band of `rows`: the last one has fewer.
local function band_rows(t, per_band, rows)
  local last = rows - (t.bands - 1) * per_band
  return last == per_band and tostring(last) or string.format("band < %d ? %d : %d", t.bands - 1, per_band, last)
end

-- The 2x2 max pool p after the layer (fuse.lua), of a band of t.tco
-- channels' wide rows in yt, into the pool's output py and argmax arg: bands
-- have an even number of rows, so each holds whole windows.
local function pool_bands(w, p, t)
  local per_band = t.band_rows // 2
  w:line("const size_t po = ((size_t)cb * %d * n + i) * %d + band * %d;", t.tco, p.Ho * p.Wo, per_band * p.Wo)
  w:line("for (int c = 0; c < %d; ++c) max_pool_band(py + po + (size_t)c * n * %d, arg + po + (size_t)c * n * %d, " ..
    "yt + c * %d, %s, %d, %d, %d, band * %d);", t.tco, p.Ho * p.Wo, p.Ho * p.Wo, t.band_wide,
    band_rows(t, per_band, p.Ho), t.width, p.Wo, p.W, t.band_rows * p.W)
end

-- The tap rows each vector of tile `pt` can leave out: where every output row
-- it computes reads a zero row of the source there (the source's rows outside
-- [top, top + real) are padding), and all of them where it computes no output
-- row at all (past the plane). Only with one band, so that a tile's rows are
-- known when the code is generated. Returns nil where no vector leaves any out.
local function zero_tap_rows(t, k, pt)
  if t.bands ~= 1 then return nil end
  local skips, any = {}, false
  for v = 0, t.tv - 1 do
    local q0 = pt * t.tv * t.lanes + v * t.lanes
    local first, last = q0 // t.width, math.min((q0 + t.lanes - 1) // t.width, t.rows - 1)
    local rows = {}
    for a = 0, k.kh - 1 do
      local zero = true
      for r = first, last do
        if r + a >= k.top and r + a < k.top + k.real_rows then zero = false end
      end
      if zero then rows[a], any = true, true end
    end
    skips[v] = rows
  end
  return any and skips or nil
end

-- The register tile's accumulators, started at the bias or zero.
local function start_tile(w, k, t)
  regtile.declare(w, "a", t.tco, t.tv)
  for c = 0, t.tco - 1 do
    local start = k.bias and string.format("(vwide){ 0 } + %s[cb * %d + %d]", k.bias, t.tco, c) or "(vwide){ 0 }"
    local lhs = {}
    for v = 0, t.tv - 1 do lhs[#lhs + 1] = string.format("a[%d][%d]", c, v) end
    w:line("%s = %s;", table.concat(lhs, " = "), start)
  end
end

-- The vectors that read each tap row (all but those skips leaves out), and
-- the names of those that read any.
local function readers(k, t, skips)
  local reading, reads_any, declared = {}, {}, {}
  for a = 0, k.kh - 1 do
    reading[a] = {}
    for v = 0, t.tv - 1 do
      if not (skips and skips[v][a]) then
        reading[a][#reading[a] + 1] = v
        reads_any[v] = true
      end
    end
  end
  for v = 0, t.tv - 1 do
    if reads_any[v] then declared[#declared + 1] = "v" .. v end
  end
  return reading, declared
end

-- One tap (a, b): the loads of the vectors that read its row, then a fused
-- multiply-add per accumulator.
local function tap(w, k, t, a, b, reading)
  local taps, index = k.kh * k.kw, a * k.kw + b
  local co_stride = k.flip and taps or k.cin * taps
  w:line("%s /* tap (%d, %d) */", regtile.loads("v", reading, "xr", function(v) return a * t.width + b + v * t.lanes end),
    a, b)
  local weight = k.flip and taps - 1 - index or index
  regtile.rows(w, t.tco, reading, function(c, v)
    return regtile.fma("a", c, v, string.format("wc[%d] * v%d", c * co_stride + weight, v))
  end)
end

-- Tile number pt (nil: the loop's variable pt) of the band, leaving out the
-- tap rows in skips; its accumulators go to the band buffer yt.
local function tile(w, g, k, pt, skips)
  local t = k.t
  local at = pt and tostring(pt * t.tv * t.lanes) or string.format("pt * %d", t.tv * t.lanes)
  start_tile(w, k, t)
  local reading, declared = readers(k, t, skips)
  if #declared > 0 then -- (a tile past the plane reads nothing: it stores its starting values)
    local ci_stride = k.flip and k.cout * k.kh * k.kw or k.kh * k.kw
    w:open("for (int ci = 0; ci < %d; ++ci) {", k.cin)
    w:line("const %s *xr = xb + (size_t)ci * n * %d + %s;", g.T, k.plane, at)
    w:line("const %s *wc = wb + ci * %d;", g.T, ci_stride)
    w:line("vwide %s;", table.concat(declared, ", "))
    for a = 0, k.kh - 1 do
      for b = 0, #reading[a] > 0 and k.kw - 1 or -1 do tap(w, k, t, a, b, reading[a]) end
    end
    w:close()
  end
  w:nest(nil, { string.format("for (int c = 0; c < %d; ++c) {", t.tco),
    string.format("for (int v = 0; v < %d; ++v) {", t.tv) }, function()
    if k.relu then w:line("a[c][v] = (vwide)((vwlanes)a[c][v] & (a[c][v] > (vwide){ 0 })); /* the fused relu */") end
    w:line("memcpy(yt + c * %d + %s + v * %d, &a[c][v], sizeof a[c][v]);", t.band_wide, at, t.lanes)
  end)
end

-- A tile written out on its own, saying which taps it leaves out.
local function peeled(w, g, k, pt, skips)
  local left = {}
  for v = 0, k.t.tv - 1 do
    local rows = {}
    for a = 0, k.kh - 1 do
      if skips[v][a] then rows[#rows + 1] = tostring(a) end
    end
    if #rows > 0 then left[#left + 1] = string.format("vector %d: %s", v, table.concat(rows, ", ")) end
  end
  w:open("{ /* tile %d, leaving out the kernel rows that read only zero padding: %s */", pt, table.concat(left, "; "))
  tile(w, g, k, pt, skips)
  w:close()
end

-- The band's tiles: those that read a zero row on some tap on their own, the
-- tiles [lo, hi) between them, which read none, in one loop.
local function band_tiles(w, g, k)
  local t = k.t
  local skips, lo, hi = {}, 0, t.tiles
  for pt = 0, t.tiles - 1 do skips[pt] = zero_tap_rows(t, k, pt) end
  while lo < hi and skips[lo] do lo = lo + 1 end
  while hi > lo and skips[hi - 1] do hi = hi - 1 end
  for pt = 0, lo - 1 do peeled(w, g, k, pt, skips[pt]) end
  if hi > lo then
    w:open("for (int pt = %d; pt < %d; ++pt) { /* tiles of %d wide positions */", lo, hi, t.tv * t.lanes)
    tile(w, g, k, nil, nil)
    w:close()
  end
  for pt = hi, t.tiles - 1 do peeled(w, g, k, pt, skips[pt]) end
end

-- The band's rows, from the wide buffer into dst (or pooled, under a fused pool).
local function band_out(w, g, k)
  local t = k.t
  if k.pool then return pool_bands(w, k.pool, t) end
  local out_plane = t.rows * t.out_width
  w:line("%s *yb = %s + ((size_t)cb * %d * n + i) * %d + band * %d;", g.T, k.dst, t.tco, out_plane,
    t.band_rows * t.out_width)
  w:line("for (int c = 0; c < %d; ++c) unwiden(yb + (size_t)c * n * %d, yt + c * %d, %s, %d, %d, %d);", t.tco,
    out_plane, t.band_wide, band_rows(t, t.band_rows, t.rows), t.width, t.out_width, k.accumulate and 1 or 0)
end

-- One work item: a band of t.tco channels' rows of image i, in a wide buffer yt.
local function band(w, g, k)
  local t = k.t
  local co_stride = k.flip and k.kh * k.kw or k.cin * k.kh * k.kw
  w:line("const %s *wb = w + (size_t)cb * %d;", g.T, t.tco * co_stride)
  w:line("const %s *xb = %s + (size_t)i * %d + band * %d;", g.T, k.src, k.plane, t.band_rows * t.width)
  local past = k.pool and POOL_READS or 0 -- what the pool's last vector reads past the band
  w:line("%s yt[%d]; /* the band, wide: [%d][%d]%s */", g.T, t.tco * t.band_wide + past, t.tco, t.band_wide,
    k.pool and string.format(", and %d values", past) or "")
  if k.pool then w:line("memset(yt + %d, 0, sizeof(%s) * %d);", t.tco * t.band_wide, g.T, past) end
  band_tiles(w, g, k)
  band_out(w, g, k)
end

-- dst[co][i][oh][ow] (+)= sum over ci and taps of wt[co][ci][a][b] * src[ci][i][q + a*width + b],
-- q = oh*width + ow: the tiled kernel shared by forward and the input gradient.
-- wt is read from the layer's weights w[o][i][a][b] as it is (forward: wt = w)
-- or, with k.flip, flipped and transposed (the input gradient: wt[co][ci][a][b]
-- = w[ci][co][kh-1-a][kw-1-b]).
-- A work item is a band of rows of TCO channels of one image: its tiles go to
-- a wide buffer on the stack, whose rows are then copied into dst. The first
-- and last tiles, whose vectors read zero padding rows on some taps, are
-- written out on their own without those taps. k: src, plane (values per
-- source plane), top and real_rows (the source's rows that are not padding),
-- cin, cout, kh, kw, flip, dst, t (the tiling), bias (or nil), relu (a fused
-- relu: max(y, 0) before the store) and accumulate (add to dst instead of
-- storing).
local function tiled(w, g, k)
  local t = k.t
  w:nest("#pragma omp parallel for collapse(3) schedule(static)", { "for (int i = 0; i < n; ++i) {",
    string.format("for (int cb = 0; cb < %d; ++cb) { /* %d channels */", k.cout // t.tco, t.tco),
    string.format("for (int band = 0; band < %d; ++band) { /* %d rows */", t.bands, t.band_rows) },
    function() band(w, g, k) end)
end

function direct.forward(node, w, g)
  local c, gm = node.conv, geometry(node.conv)
  w:line("%s *xp = s->work; /* x padded: [%d][n][%d][%d] */", g.T, c.cin, gm.x_plane // gm.Wp, gm.Wp)
  pad(w, "xp", "x", string.format("%d * n", c.cin), c.H, c.W, gm.x_plane, gm.Wp, c.pt, c.pl)
  if pooled.applies(c, WIDEST) then
    per_width(w, function(k) pooled.forward(w, g, node, c, gm, fixed_workspace(c, gm), WIDTHS[k]) end)
    return
  end
  per_width(w, function(k)
    tiled(w, g, { src = "xp", plane = gm.x_plane, top = c.pt, real_rows = c.H, cin = c.cin, cout = c.cout,
      kh = c.kh, kw = c.kw, dst = "y", t = gm.fwd[k], bias = c.bias and "b" or nil, relu = util.fused_relu(node),
      pool = util.pools(node) })
  end)
end

-- The padded output gradient, masked by a fused relu, or rebuilt from the max
-- pool the layer computes (util.pools).
local function pad_output_gradient(w, g, node, c, gm)
  w:line("%s *dyp = s->work; /* dy padded by k-1-p: [%d][n][%d][%d] */", g.T, c.cout, gm.dy_plane // gm.Wp, gm.Wp)
  w:line("#pragma omp parallel for")
  w:line("for (int p = 0; p < %d * n; ++p)", c.cout)
  local p = util.pools(node)
  if p then
    local pooled = p.Ho * p.Wo
    w:line("    unpool_plane(dyp + (size_t)p * %d, pg + (size_t)p * %d, parg + (size_t)p * %d, py + (size_t)p * %d, " ..
      "%d, %d, %d, %d, %d, %d);", gm.dy_plane, pooled, pooled, pooled, pooled, c.Wo, gm.dy_plane, gm.Wp, gm.dy_top,
      gm.dy_left)
    return
  end
  w:line("    pad_plane(dyp + (size_t)p * %d, dy + (size_t)p * %d, %s, %d, %d, %d, %d, %d, %d);", gm.dy_plane,
    c.Ho * c.Wo, util.masks_dy(node) and string.format("y + (size_t)p * %d", c.Ho * c.Wo) or "NULL", c.Ho, c.Wo,
    gm.dy_plane // gm.Wp, gm.Wp, gm.dy_top, gm.dy_left)
end

-- The weight gradient (and the bias gradient) first, from dy transposed
-- (channel form) or read in place (position form), then dy padded for the
-- input gradient.
function direct.backward(node, w, g)
  local c, gm = node.conv, geometry(node.conv)
  local fixed = fixed_workspace(c, gm)
  if scatter.applies(c, WIDEST, WIDTHS) then return scatter.backward(w, g, node, fixed, WIDTHS, per_width) end
  local weight = util.trains(node, "weight")
  w:open("if (%s%s) {", weight, c.bias and " || " .. util.trains(node, "bias") or "")
  if gm.dw.by_channels then
    weights.transpose_output_gradient(w, g, node, c, gm)
    w:open("if (%s) {", weight)
    w:line("%s *xp = dyt + (size_t)n * %d; /* x padded: [%d][n][%d][%d] */", g.T, gm.dw.positions * gm.dw.channels,
      c.cin, gm.x_plane // gm.Wp, gm.Wp)
  else
    w:line("%s *xp = s->work + (size_t)n * %d; /* x padded: [%d][n][%d][%d] */", g.T, c.cout * gm.dy_plane, c.cin,
      gm.x_plane // gm.Wp, gm.Wp)
  end
  pad(w, "xp", "x", string.format("%d * n", c.cin), c.H, c.W, gm.x_plane, gm.Wp, c.pt, c.pl)
  weights.emit(w, g, node, c, gm, fixed, per_width)
  if gm.dw.by_channels then w:close() end
  w:close()
  w:open("if (need_dx) {")
  pad_output_gradient(w, g, node, c, gm)
  per_width(w, function(k)
    -- (under a max pool, the rows under no window have a zero gradient)
    local rows = c.pooled and c.pooled.rows or c.Ho
    tiled(w, g, { src = "dyp", plane = gm.dy_plane, top = gm.dy_top, real_rows = rows, cin = c.cout, cout = c.cin,
      kh = c.kh, kw = c.kw, flip = true, dst = "dx", t = gm.bwd[k], accumulate = not util.assigns_dx(node) })
  end)
  w:close()
end

return direct
