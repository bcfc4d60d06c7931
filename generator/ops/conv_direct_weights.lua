-- The weight gradient of the direct convolutions (ops/conv_direct.lua), in
-- one of two forms:
--  * by channels, for layers with enough input channels: dw as an outer
--    product of vectors of output channels (dy transposed to
--    [image][position][channel]) and broadcast inputs, accumulated in
--    registers over a chunk of images; no horizontal sums, and each dy vector
--    feeds up to 24 fused multiply-adds;
--  * by positions, for the stems (a few input channels, where each dy value
--    feeds too few multiply-adds to pay for transposing dy): vectors along
--    the rows of dy, read in place with the relu mask and summed for the bias
--    gradient on the way, then across lanes once per weight. A stem's
--    backward is bound by memory traffic, and this reads dy and y once.
-- Both sum over images in an order that does not depend on the thread count.
local util = require("ops.util")
local tiles = require("ops.conv_tiles")
local regtile = require("ops.conv_regtile")

local weights = {}

-- The channel form from this many input channels on.
local MIN_CIN_BY_CHANNELS = 8
-- The channel form's chunk of images: the transposed dy of at most this many
-- values (256 KiB of floats, a fraction of a server core's L2 of 512 KiB to 2 MiB).
local CHUNK_VALUES = 65536

local ceil_div = util.ceil_div

-- Channels per register tile, for the kernels here and in ops/conv_direct.lua:
-- the largest of 8, 4, 2, 1 (at most `most`) that divides `channels` and
-- leaves room for `per_channel` of the vector width's accumulators each.
function weights.channels_per_tile(width, channels, per_channel, most)
  return tiles.largest({ 8, 4, 2, 1 }, function(t)
    return t <= (most or 8) and channels % t == 0 and t * per_channel <= width.accumulators
  end, 1)
end

-- The position form's tile: TG output channels x all taps where they fit in
-- registers (each dy vector then read once per input channel), else x the
-- taps of one kernel row.
local function position_tile(vw, c)
  local rows = c.kh * c.kw <= vw.accumulators and c.kh or 1
  return { lanes = vw.lanes, rows = rows, tg = weights.channels_per_tile(vw, c.cout, rows * c.kw) }
end

-- The channel form's tile, for one vector width: tcv vectors of output
-- channels x `pairs` (input channel, tap) pairs, tci input channels x the
-- taps of `rows` kernel rows and `cols` columns. Per output position, tcv
-- loads of the transposed dy and `pairs` broadcasts of x feed tcv*pairs fused
-- multiply-adds. The cost counts the tiles two threads take in turn and a
-- position's cycles (two multiply-adds and two loads a cycle); ties go to
-- more pairs, which read the transposed dy (the stream from L2) less often.
local function channel_tile(vw, c, channels)
  local vectors, candidates = channels // vw.lanes, {}
  for tcv = 1, math.min(vectors, 4) do
    for _, group in ipairs({ { c.kh, c.kw }, { 1, c.kw }, { 1, 1 } }) do
      for tci = 1, c.cin do
        local pairs = tci * group[1] * group[2]
        if vectors % tcv == 0 and c.cin % tci == 0 and pairs * tcv <= vw.accumulators then
          candidates[#candidates + 1] = { tcv = tcv, tci = tci, rows = group[1], cols = group[2], pairs = pairs,
            tiles = (vectors // tcv) * (c.cin // tci) * (c.kh // group[1]) * (c.kw // group[2]), lanes = vw.lanes }
        end
      end
    end
  end
  return tiles.best(candidates,
    function(t) return ceil_div(t.tiles, 2) * tiles.step(t.pairs * t.tcv, t.pairs + t.tcv) end,
    function(t) return t.pairs end)
end

-- The weight gradient's part of the geometry gm (whose Wp is set) for the
-- vector widths `widths`: gm.dw, and how far its reads reach into the padded
-- x (or nil where they stay inside the plane).
function weights.plan(c, gm, widths, widest)
  local dw = { tiles = {}, by_channels = not weights.reads_dy_in_place(c), group = widest }
  gm.dw = dw
  if dw.by_channels then
    dw.channels = ceil_div(c.cout, widest) * widest
    dw.positions = c.Ho * c.Wo
    -- a chunk's transposed dy stays in L2 while every tile reads it
    dw.chunk = math.max(1, CHUNK_VALUES // (dw.positions * dw.channels))
    for k, vw in ipairs(widths) do dw.tiles[k] = channel_tile(vw, c, dw.channels) end
    return nil
  end
  for k, vw in ipairs(widths) do dw.tiles[k] = position_tile(vw, c) end
  -- the last vector of the last row, whose lanes past Wo read on into the
  -- padded x (times zeros)
  return (c.Ho + c.kh - 2) * gm.Wp + ceil_div(c.Wo, widest) * widest + c.kw - 1
end

-- Whether the weight gradient reads dy in place (the position form), which a
-- max pool after the layer can then hand over unexpanded (fuse.lua).
function weights.reads_dy_in_place(c)
  return c.cin < MIN_CIN_BY_CHANNELS
end

-- Workspace per image and fixed, given the input gradient's (the padded dy)
-- and the padded x's per image: the channel form first holds the transposed
-- dy and x, and then the padded dy, and its sums are fixed; the position form
-- holds the padded x after the padded dy.
function weights.work(c, gm, dy_values, x_values)
  if gm.dw.by_channels then
    return math.max(gm.dw.positions * gm.dw.channels + x_values, dy_values), c.cin * c.kh * c.kw * gm.dw.channels
  end
  return dy_values + x_values, 0
end

-- dy rebuilt from the max pool the layer computes (util.pools) straight into
-- dyt[i][position][channel]: zeros, and each window's gradient at its
-- maximum, masked by the relu before the pool (zero where the pool's output
-- is not positive). The bias gradient sums the pool's output gradient,
-- masked in place.
local function unpool_transposed(w, g, node, c, gm)
  local dw, p = gm.dw, util.pools(node)
  local pooled = p.Ho * p.Wo
  w:line("%s *dyt = s->work; /* dy transposed: [n][%d][%d] */", g.T, dw.positions, dw.channels)
  w:line("#pragma omp parallel for schedule(static)")
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("%s *t = dyt + (size_t)i * %d;", g.T, dw.positions * dw.channels)
  w:line("memset(t, 0, sizeof(%s) * %d);", g.T, dw.positions * dw.channels)
  w:open("for (int co = 0; co < %d; ++co) {", c.cout)
  w:line("const size_t j = ((size_t)co * n + i) * %d;", pooled)
  w:line("for (int o = 0; o < %d; ++o) t[parg[j + o] * %d + co] = py[j + o] > 0 ? pg[j + o] : 0;", pooled,
    dw.channels)
  w:close()
  w:close()
  if c.bias then
    w:line("if (%s) sum_rows(db, pg, py, %d, n * %d, %s);", util.trains(node, "bias"), c.cout, pooled, util.ACCUMULATE)
  end
end

-- dy, masked by a fused relu, transposed to dyt[i][position][channel] with
-- zeros past cout, and the bias gradient, in one pass: a work item is a
-- group of channels a widest vector long (whole cache lines of dyt),
-- transposed in blocks of 8 channels x 8 positions (the last positions one at
-- a time), whose sums run in vector lanes in a fixed order.
function weights.transpose_output_gradient(w, g, node, c, gm)
  if util.pools(node) then return unpool_transposed(w, g, node, c, gm) end
  local dw = gm.dw
  local group, full = dw.group, dw.positions // 8 * 8
  local blocks, stride = group // 8, dw.positions * dw.channels
  w:line("%s *dyt = s->work; /* dy transposed: [n][%d][%d] */", g.T, dw.positions, dw.channels)
  w:line("#pragma omp parallel for schedule(static)")
  w:open("for (int cg = 0; cg < %d; ++cg) { /* channels cg*%d.. */", dw.channels // group, group)
  w:line("const size_t cs = (size_t)n * %d; /* from one channel's plane to the next */", dw.positions)
  w:line("vreal sums[%d][8] = { { { 0 } } };", blocks)
  -- the channels of each block of 8 that are below cout
  local count = "8"
  if c.cout < dw.channels then
    w:line("const int left = %d - cg * %d; /* the group's channels below cout */", c.cout, group)
    w:line("int count[%d];", blocks)
    w:line("for (int h = 0; h < %d; ++h) count[h] = left < h * 8 ? 0 : left - h * 8 > 8 ? 8 : left - h * 8;", blocks)
    count = "count[h]"
  end
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("%s *t = dyt + (size_t)i * %d + cg * %d;", g.T, stride, group)
  w:line("const size_t plane = (size_t)cg * %d * cs + (size_t)i * %d;", group, dw.positions)
  w:open("for (int p = 0; p < %d; p += 8) {", full)
  w:open("for (int h = 0; h < %d; ++h) {", blocks)
  w:line("const size_t j = plane + h * 8 * cs + p;")
  w:line("transpose_block(t + p * %d + h * 8, %d, dy + j, %s, cs, %s, sums[h]);", dw.channels, dw.channels,
    util.masks_dy(node) and "y + j" or "NULL", count)
  w:close()
  w:close()
  local below = count ~= "8" and "k % 8 < count[k / 8]" or nil
  if full < dw.positions then
    w:open("for (int p = %d; p < %d; ++p) {", full, dw.positions)
    w:open("for (int k = 0; k < %d; ++k) {", group)
    w:line("const size_t j = plane + k * cs + p;")
    local keep = {}
    if below then keep[#keep + 1] = below end
    if util.masks_dy(node) then keep[#keep + 1] = "y[j] > 0" end
    w:line("const %s v = %s;", g.T, #keep == 0 and "dy[j]" or table.concat(keep, " && ") .. " ? dy[j] : 0")
    w:line("t[p * %d + k] = v;", dw.channels)
    w:line("sums[k / 8][k %% 8][p %% %d] += v; /* the lane a block would have added it to */", 8)
    w:close()
    w:close()
  end
  w:close()
  if c.bias then
    w:line("if (%s)", util.trains(node, "bias"))
    w:line("    for (int k = 0; k < %d; ++k)", group)
    w:line("        %sput_grad(s, &db[cg * %d + k], vsum(&sums[k / 8][k %% 8]));",
      below and "if (" .. below .. ") " or "", group)
  end
  w:close()
end

-- dw[co][ci][a][b] (=, or += when accumulating) sum over images and output
-- positions (oh, ow) of dyt[i][oh*Wo + ow][co] * xp[ci][i][(oh+a)*Wp + ow + b],
-- as an outer product: vectors of output channels times broadcast inputs,
-- accumulated in dwt[ci][a][b][channel]. Images go in chunks, each read by
-- every tile while it is in cache; a tile's accumulators stay in registers
-- through a chunk, and each tile adds its chunks in order, so the sums do not
-- depend on the thread count. Under a max pool, the positions under no
-- window (an odd size's last row and column) have a zero gradient and are
-- left out.
-- The tile's output channel block, input channel block, and kernel row and
-- column groups, from its number, the fastest-varying first (a count of 1 is always 0).
local function tile_coordinates(c, t, cbs, cibs, gas)
  local index, below = {}, 1
  for _, part in ipairs({ { "cb", cbs }, { "cib", cibs }, { "ga", gas }, { "gb", c.kw // t.cols } }) do
    local name, count = part[1], part[2]
    local value = below == 1 and "tile" or string.format("tile / %d", below)
    if count == 1 then value = "0"
    elseif below * count < t.tiles then value = string.format("%s %% %d", value, count) end
    index[#index + 1] = string.format("%s = %s", name, value)
    below = below * count
  end
  return string.format("const int %s;", table.concat(index, ", "))
end

-- The tile's (input channel, tap) pairs: cc, tap (r, b) of the group, with
-- their offsets in the accumulators (acc) and in x.
local function channel_pairs(c, gm, t)
  local pairs = {}
  for cc = 0, t.tci - 1 do
    for r = 0, t.rows - 1 do
      for b = 0, t.cols - 1 do
        pairs[#pairs + 1] = { cc = cc, acc = ((cc * c.kh + r) * c.kw + b) * gm.dw.channels, x = r * gm.Wp + b }
      end
    end
  end
  return pairs
end

-- A line per pair of its vectors of accumulators, each as item(a, acc) gives
-- it: a the accumulator's C name, acc its offset in the tile's sums.
local function each_accumulator(w, t, pairs, item)
  regtile.rows(w, #pairs, t.tcv, function(p, v)
    return item(string.format("a[%d][%d]", p, v), pairs[p + 1].acc + v * t.lanes)
  end)
end

-- One image's positions into the tile's accumulators.
local function channel_positions(w, g, c, gm, t, pairs)
  w:line("const %s *d = dyt + (size_t)i * %d + cb * %d;", g.T, gm.dw.positions * gm.dw.channels, t.tcv * t.lanes)
  w:line("const %s *x0 = xp + ((size_t)cib * %d * n + i) * %d + ga * %d + gb * %d;", g.T, t.tci, gm.x_plane,
    t.rows * gm.Wp, t.cols)
  for cc = 1, t.tci - 1 do w:line("const %s *x%d = x0 + (size_t)%d * n * %d;", g.T, cc, cc, gm.x_plane) end
  w:nest(nil, { string.format("for (int oh = 0; oh < %d; ++oh) {", c.pooled and c.pooled.rows or c.Ho),
    string.format("for (int ow = 0; ow < %d; ++ow) {", c.pooled and c.pooled.cols or c.Wo) }, function()
    w:line("const %s *dq = d + (oh * %d + ow) * %d;", g.T, c.Wo, gm.dw.channels)
    w:line("const int q = oh * %d + ow;", gm.Wp)
    w:line("vwide %s; %s", regtile.names("d", t.tcv), regtile.loads("d", t.tcv, "dq", function(v) return v * t.lanes end))
    regtile.rows(w, #pairs, t.tcv, function(p, v)
      return regtile.fma("a", p, v, string.format("x%d[q + %d] * d%d", pairs[p + 1].cc, pairs[p + 1].x, v))
    end)
  end)
end

-- A tile's sums over the chunk of images [i0, i1), from and back into dwt.
local function channel_tile_chunk(w, g, c, gm, t)
  local cbs, cibs, gas = gm.dw.channels // t.lanes // t.tcv, c.cin // t.tci, c.kh // t.rows
  w:line(tile_coordinates(c, t, cbs, cibs, gas))
  w:line("%s *acc = dwt + ((size_t)(cib * %d * %d + ga * %d) * %d + gb * %d) * %d + cb * %d;", g.T, t.tci, c.kh,
    t.rows, c.kw, t.cols, gm.dw.channels, t.tcv * t.lanes)
  local pairs = channel_pairs(c, gm, t)
  regtile.declare(w, "a", t.pairs, t.tcv)
  each_accumulator(w, t, pairs, function(a, at) return string.format("vwload(&%s, acc + %d);", a, at) end)
  w:open("for (int i = i0; i < i1; ++i) {")
  channel_positions(w, g, c, gm, t, pairs)
  w:close()
  each_accumulator(w, t, pairs, function(a, at)
    return string.format("memcpy(acc + %d, &%s, sizeof %s);", at, a, a)
  end)
end

local function by_channels(w, g, c, gm, k)
  local t = gm.dw.tiles[k]
  w:line("/* tiles: %d x %d output channels x (%d input channels x %d x %d taps) */", t.tcv, t.lanes, t.tci, t.rows,
    t.cols)
  w:nest("#pragma omp parallel", { "{", string.format("for (int i0 = 0; i0 < n; i0 += %d) {", gm.dw.chunk) }, function()
    w:line("const int i1 = i0 + %d < n ? i0 + %d : n;", gm.dw.chunk, gm.dw.chunk)
    w:nest("#pragma omp for schedule(static)", { string.format("for (int tile = 0; tile < %d; ++tile) {", t.tiles) },
      function() channel_tile_chunk(w, g, c, gm, t) end)
  end)
end

-- dw[co][ci][a][b] (=, or += when accumulating) sum over images and output
-- positions of dy[co][i][oh][ow] (masked by a fused relu) *
-- xp[ci][i][(oh+a)*Wp + ow + b], with dy read in place: each output row in
-- vectors, the last one partial (its lanes past Wo zero, so what x they meet
-- adds nothing). The items of input channel 0 and the first kernel rows also
-- sum the bias gradient from the same vectors.
--
-- With the max pool the layer computes unpooled here (util.pools), dy is
-- rebuilt from the pool's output gradient, vector by vector: the rows and
-- columns under no window (an odd size's last ones) have a zero gradient and
-- are left out.
-- The rest of by_positions works on one table, b: w, g, node, c, gm, tg
-- (output channels per item), ra (kernel rows per item), lanes, p (the pool
-- the layer computes, or nil) and plane (dy's values per image and channel).

-- Channel t's sums, from a vector of dy in dv and of x in x0, x1, ...
local function accumulate(b, t)
  regtile.rows(b.w, { t }, b.ra * b.c.kw, function(r, j) return regtile.fma("a", r, j, "dv * x" .. j) end,
    function(r, text) return b.c.bias and string.format("bias[%d] += dv; %s", r, text) or text end)
end

-- The vectors of x under each tap of the item's kernel rows, at column q.
local function load_x(b, q)
  local xs, loads = {}, {}
  for r = 0, b.ra - 1 do
    for col = 0, b.c.kw - 1 do
      local j = r * b.c.kw + col
      xs[#xs + 1] = "x" .. j
      loads[#loads + 1] = string.format("vwload(&x%d, xr + oh * %d + %s + %d);", j, b.gm.Wp, q, r * b.gm.Wp + col)
    end
  end
  b.w:line("vwide dv, %s;", table.concat(xs, ", "))
  b.w:line(table.concat(loads, " "))
end

-- One vector at column q of the two rows under pooled row ph (the first
-- `count` lanes, or all): the windows' gradients loaded once for both.
local function pooled_step(b, q, count)
  local w, p = b.w, b.p
  local half = tonumber(q) and tostring(tonumber(q) // 2) or q .. " / 2"
  w:line("vwide %s;", regtile.names("gv", b.tg))
  w:line("vwlanes %s;", regtile.names("at", b.tg))
  for t = 0, b.tg - 1 do
    local pat = string.format("d + (size_t)%d * n * %d + ph * %d + %s", t, p.Ho * p.Wo, p.Wo, half)
    w:line("unpool_vector(&gv%d, &at%d, pg + %s, parg + %s, py + %s, %d);", t, t, pat, pat, pat, (count or b.lanes) // 2)
  end
  for r = 0, 1 do
    w:open("{ /* row %d of the window */", r)
    w:line("const int oh = 2 * ph + %d;", r)
    load_x(b, q)
    for t = 0, b.tg - 1 do
      w:line("unpool_lanes(&dv, &gv%d, &at%d, oh * %d + %s);", t, t, b.c.Wo, q)
      accumulate(b, t)
    end
    w:close()
  end
end

-- dv = dy at `at` (whole, or the first `count` lanes), masked by a fused relu.
local function load_dy(b, at, count)
  local w, T = b.w, b.g.T
  local mask = "dv = (vwide)((vwlanes)dv & (m > (vwide){ 0 }));"
  if count then
    w:line("dv = (vwide){ 0 }; memcpy(&dv, dy + %s, sizeof(%s) * %d);", at, T, count)
    if util.masks_dy(b.node) then
      w:line("{ vwide m = (vwide){ 0 }; memcpy(&m, y + %s, sizeof(%s) * %d); %s }", at, T, count, mask)
    end
  else
    w:line("vwload(&dv, dy + %s);", at)
    if util.masks_dy(b.node) then w:line("{ vwide m; vwload(&m, y + %s); %s }", at, mask) end
  end
end

-- One vector of a row at column q: loads of x and dy (whole, or the first `count` lanes).
local function step(b, q, count)
  if b.p then return pooled_step(b, q, count) end
  load_x(b, q)
  for t = 0, b.tg - 1 do
    load_dy(b, string.format("d + (size_t)%d * n * %d + oh * %d + %s", t, b.plane, b.c.Wo, q), count)
    accumulate(b, t)
  end
end

-- One image: its rows (pooled rows under a pool), in whole vectors, then the last columns.
local function image_rows(b)
  local w, c, p = b.w, b.c, b.p
  local cols = p and 2 * p.Wo or c.Wo
  local full = cols // b.lanes * b.lanes
  w:line("const size_t d = ((size_t)cb * %d * n + i) * %d; /* %s first plane */", b.tg, p and p.Ho * p.Wo or b.plane,
    p and "the pool's" or "dy's")
  w:line("const %s *xr = xp + ((size_t)ci * n + i) * %d + kb * %d;", b.g.T, b.gm.x_plane, b.ra * b.gm.Wp)
  if p then
    -- a pooled row at a time: its windows' gradients and argmax serve both rows under them
    w:open("for (int ph = 0; ph < %d; ++ph) {", p.Ho)
  else
    w:open("for (int oh = 0; oh < %d; ++oh) {", c.Ho)
  end
  if full > 0 then
    w:open("for (int q = 0; q < %d; q += %d) {", full, b.lanes)
    step(b, "q", nil)
    w:close()
  end
  if full < cols then
    w:open("{ /* the last %d columns */", cols - full)
    step(b, tostring(full), cols - full)
    w:close()
  end
  w:close()
end

-- The item's sums into dw (and db).
local function store_sums(b)
  local w, c, node, tg = b.w, b.c, b.node, b.tg
  local taps = c.kh * c.kw
  w:open("if (%s) {", util.trains(node, "weight"))
  w:line("%s *dwr = dw + ((size_t)cb * %d * %d + ci) * %d + kb * %d;", b.g.T, tg, c.cin, taps, b.ra * c.kw)
  w:open("for (int t = 0; t < %d; ++t) {", tg)
  w:line("for (int k = 0; k < %d; ++k) put_grad(s, &dwr[t * %d + k], vwsum(&a[t][k]));", b.ra * c.kw, c.cin * taps)
  w:close()
  w:close()
  if c.bias then
    w:line("if (%s && ci == 0 && kb == 0)", util.trains(node, "bias"))
    w:line("    for (int t = 0; t < %d; ++t) put_grad(s, &db[cb * %d + t], vwsum(&bias[t]));", tg, tg)
  end
end

-- One work item: output channels cb*tg.., input channel ci, kernel rows kb*ra..
local function position_item(b)
  local w, c = b.w, b.c
  regtile.declare(w, "a", b.tg, b.ra * c.kw, c.bias and string.format(", bias[%d]", b.tg))
  w:open("for (int t = 0; t < %d; ++t) {", b.tg)
  if c.bias then w:line("bias[t] = (vwide){ 0 };") end
  w:line("for (int k = 0; k < %d; ++k) a[t][k] = (vwide){ 0 };", b.ra * c.kw)
  w:close()
  w:open("for (int i = 0; i < n; ++i) {")
  image_rows(b)
  w:close()
  store_sums(b)
end

local function by_positions(w, g, node, c, gm, k)
  local tile = gm.dw.tiles[k]
  local b = { w = w, g = g, node = node, c = c, gm = gm, tg = tile.tg, ra = tile.rows, lanes = tile.lanes,
    p = util.pools(node), plane = c.Ho * c.Wo }
  w:nest("#pragma omp parallel for collapse(3) schedule(static)", {
    string.format("for (int cb = 0; cb < %d; ++cb) {", c.cout // b.tg),
    string.format("for (int ci = 0; ci < %d; ++ci) {", c.cin),
    string.format("for (int kb = 0; kb < %d; ++kb) { /* kernel rows kb*%d.. */", c.kh // b.ra, b.ra) },
    function() position_item(b) end)
end

-- The weight gradient from the prepared dy (transposed or padded, see
-- ops/conv_direct.lua's backward) and the padded x, xp; `fixed` is the fixed
-- workspace, per_width the emitter of code for each vector width.
function weights.emit(w, g, node, c, gm, fixed, per_width)
  if not gm.dw.by_channels then
    per_width(w, function(k) by_positions(w, g, node, c, gm, k) end)
    return
  end
  local taps = c.cin * c.kh * c.kw
  w:line("%s *dwt = %s; /* the sums: [%d][%d][%d][%d] */", g.T, fixed, c.cin, c.kh, c.kw, gm.dw.channels)
  w:line("memset(dwt, 0, sizeof(%s) * %d);", g.T, taps * gm.dw.channels)
  per_width(w, function(k) by_channels(w, g, c, gm, k) end)
  -- a row of the sums at a time: the rows of dw it writes into stay in cache
  w:line("for (int j = 0; j < %d; ++j)", taps)
  w:line("    for (int co = 0; co < %d; ++co) put_grad(s, &dw[co * %d + j], dwt[j * %d + co]);", c.cout, taps,
    gm.dw.channels)
end

return weights
