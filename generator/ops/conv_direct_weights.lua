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

local weights = {}

-- The channel form from this many input channels on.
local MIN_CIN_BY_CHANNELS = 8
-- The channel form's chunk of images: the transposed dy of at most this many
-- values (256 KiB of floats, an eighth of this machine's L2).
local CHUNK_VALUES = 65536

local ceil_div = util.ceil_div

-- Channels per register tile, for the kernels here and in ops/conv_direct.lua:
-- the largest of 8, 4, 2, 1 (at most `most`) that divides `channels` and
-- leaves room for `per_channel` of the vector width's accumulators each.
function weights.channels_per_tile(width, channels, per_channel, most)
  for _, t in ipairs({ 8, 4, 2, 1 }) do
    if t <= (most or 8) and channels % t == 0 and t * per_channel <= width.accumulators then return t end
  end
  return 1
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
  local vectors, best = channels // vw.lanes, nil
  local groups = { { c.kh, c.kw }, { 1, c.kw }, { 1, 1 } }
  for tcv = 1, math.min(vectors, 4) do
    for _, group in ipairs(groups) do
      for tci = 1, c.cin do
        local pairs = tci * group[1] * group[2]
        if vectors % tcv == 0 and c.cin % tci == 0 and pairs * tcv <= vw.accumulators then
          local tiles = (vectors // tcv) * (c.cin // tci) * (c.kh // group[1]) * (c.kw // group[2])
          local cost = ceil_div(tiles, 2) * math.max(pairs * tcv, pairs + tcv)
          if best == nil or cost < best.cost or (cost == best.cost and pairs > best.pairs) then
            best = { cost = cost, tcv = tcv, tci = tci, rows = group[1], cols = group[2], pairs = pairs,
              tiles = tiles, lanes = vw.lanes }
          end
        end
      end
    end
  end
  return best
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

-- dy rebuilt from the max pool after the layer (node.unpools) straight into
-- dyt[i][position][channel]: zeros, and each window's gradient at its
-- maximum, masked by the relu before the pool (zero where the pool's output
-- is not positive). The bias gradient sums the pool's output gradient,
-- masked in place.
local function unpool_transposed(w, g, node, c, gm)
  local dw, p = gm.dw, node.pools_into.pool
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
  if node.unpools then return unpool_transposed(w, g, node, c, gm) end
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
local function by_channels(w, g, c, gm, k)
  local t = gm.dw.tiles[k]
  local vectors = gm.dw.channels // t.lanes
  local cbs, cibs, gas = vectors // t.tcv, c.cin // t.tci, c.kh // t.rows
  w:line("/* tiles: %d x %d output channels x (%d input channels x %d x %d taps) */", t.tcv, t.lanes, t.tci, t.rows,
    t.cols)
  w:line("#pragma omp parallel")
  w:open("{")
  w:open("for (int i0 = 0; i0 < n; i0 += %d) {", gm.dw.chunk)
  w:line("const int i1 = i0 + %d < n ? i0 + %d : n;", gm.dw.chunk, gm.dw.chunk)
  w:line("#pragma omp for schedule(static)")
  w:open("for (int tile = 0; tile < %d; ++tile) {", t.tiles)
  -- the tile's output channel block, input channel block, and kernel row and
  -- column groups, from the fastest-varying on (a count of 1 is always 0)
  local index, below = {}, 1
  for _, part in ipairs({ { "cb", cbs }, { "cib", cibs }, { "ga", gas }, { "gb", c.kw // t.cols } }) do
    local name, count = part[1], part[2]
    local value = below == 1 and "tile" or string.format("tile / %d", below)
    if count == 1 then value = "0"
    elseif below * count < t.tiles then value = string.format("%s %% %d", value, count) end
    index[#index + 1] = string.format("%s = %s", name, value)
    below = below * count
  end
  w:line("const int %s;", table.concat(index, ", "))
  w:line("%s *acc = dwt + ((size_t)(cib * %d * %d + ga * %d) * %d + gb * %d) * %d + cb * %d;", g.T, t.tci, c.kh,
    t.rows, c.kw, t.cols, gm.dw.channels, t.tcv * t.lanes)
  -- pair p: input channel cc, tap (r, b) of the group
  local pairs = {}
  for cc = 0, t.tci - 1 do
    for r = 0, t.rows - 1 do
      for b = 0, t.cols - 1 do
        pairs[#pairs + 1] = { cc = cc, acc = ((cc * c.kh + r) * c.kw + b) * gm.dw.channels, x = r * gm.Wp + b }
      end
    end
  end
  w:line("vwide a[%d][%d];", t.pairs, t.tcv)
  for p, pair in ipairs(pairs) do
    local loads = {}
    for v = 0, t.tcv - 1 do
      loads[#loads + 1] = string.format("vwload(&a[%d][%d], acc + %d);", p - 1, v, pair.acc + v * t.lanes)
    end
    w:line(table.concat(loads, " "))
  end
  w:open("for (int i = i0; i < i1; ++i) {")
  w:line("const %s *d = dyt + (size_t)i * %d + cb * %d;", g.T, gm.dw.positions * gm.dw.channels, t.tcv * t.lanes)
  w:line("const %s *x0 = xp + ((size_t)cib * %d * n + i) * %d + ga * %d + gb * %d;", g.T, t.tci, gm.x_plane,
    t.rows * gm.Wp, t.cols)
  for cc = 1, t.tci - 1 do w:line("const %s *x%d = x0 + (size_t)%d * n * %d;", g.T, cc, cc, gm.x_plane) end
  w:open("for (int oh = 0; oh < %d; ++oh) {", c.pooled and c.pooled.rows or c.Ho)
  w:open("for (int ow = 0; ow < %d; ++ow) {", c.pooled and c.pooled.cols or c.Wo)
  w:line("const %s *dq = d + (oh * %d + ow) * %d;", g.T, c.Wo, gm.dw.channels)
  w:line("const int q = oh * %d + ow;", gm.Wp)
  local names, loads = {}, {}
  for v = 0, t.tcv - 1 do
    names[#names + 1] = "d" .. v
    loads[#loads + 1] = string.format("vwload(&d%d, dq + %d);", v, v * t.lanes)
  end
  w:line("vwide %s; %s", table.concat(names, ", "), table.concat(loads, " "))
  for p, pair in ipairs(pairs) do
    local terms = {}
    for v = 0, t.tcv - 1 do
      terms[#terms + 1] = string.format("a[%d][%d] += x%d[q + %d] * d%d;", p - 1, v, pair.cc, pair.x, v)
    end
    w:line(table.concat(terms, " "))
  end
  w:close()
  w:close()
  w:close()
  for p, pair in ipairs(pairs) do
    local stores = {}
    for v = 0, t.tcv - 1 do
      stores[#stores + 1] = string.format("memcpy(acc + %d, &a[%d][%d], sizeof a[%d][%d]);", pair.acc + v * t.lanes,
        p - 1, v, p - 1, v)
    end
    w:line(table.concat(stores, " "))
  end
  w:close()
  w:close()
  w:close()
end

-- dw[co][ci][a][b] (=, or += when accumulating) sum over images and output
-- positions of dy[co][i][oh][ow] (masked by a fused relu) *
-- xp[ci][i][(oh+a)*Wp + ow + b], with dy read in place: each output row in
-- vectors, the last one partial (its lanes past Wo zero, so what x they meet
-- adds nothing). The items of input channel 0 and the first kernel rows also
-- sum the bias gradient from the same vectors.
--
-- With the max pool after the layer unpooled here (node.unpools), dy is
-- rebuilt from the pool's output gradient, vector by vector: the rows and
-- columns under no window (an odd size's last ones) have a zero gradient and
-- are left out.
local function by_positions(w, g, node, c, gm, k)
  local taps, tile = c.kh * c.kw, gm.dw.tiles[k]
  local tg, ra, lanes = tile.tg, tile.rows, tile.lanes
  local p = node.unpools and node.pools_into.pool
  local cols = p and 2 * p.Wo or c.Wo
  local plane, full = c.Ho * c.Wo, cols // lanes * lanes
  w:line("#pragma omp parallel for collapse(3) schedule(static)")
  w:open("for (int cb = 0; cb < %d; ++cb) {", c.cout // tg)
  w:open("for (int ci = 0; ci < %d; ++ci) {", c.cin)
  w:open("for (int kb = 0; kb < %d; ++kb) { /* kernel rows kb*%d.. */", c.kh // ra, ra)
  w:line("vwide a[%d][%d]%s;", tg, ra * c.kw, c.bias and string.format(", bias[%d]", tg) or "")
  w:open("for (int t = 0; t < %d; ++t) {", tg)
  if c.bias then w:line("bias[t] = (vwide){ 0 };") end
  w:line("for (int k = 0; k < %d; ++k) a[t][k] = (vwide){ 0 };", ra * c.kw)
  w:close()
  w:open("for (int i = 0; i < n; ++i) {")
  if p then
    w:line("const size_t d = ((size_t)cb * %d * n + i) * %d; /* the pool's first plane */", tg, p.Ho * p.Wo)
  else
    w:line("const size_t d = ((size_t)cb * %d * n + i) * %d; /* dy's first plane */", tg, plane)
  end
  w:line("const %s *xr = xp + ((size_t)ci * n + i) * %d + kb * %d;", g.T, gm.x_plane, ra * gm.Wp)
  if p then
    -- a pooled row at a time: its windows' gradients and argmax serve both rows under them
    w:open("for (int ph = 0; ph < %d; ++ph) {", p.Ho)
  else
    w:open("for (int oh = 0; oh < %d; ++oh) {", c.Ho)
  end
  -- channel t's sums, from a vector of dy in dv and of x in x0, x1, ...
  local function accumulate(t)
    local terms = { c.bias and string.format("bias[%d] += dv;", t) or nil }
    for j = 0, ra * c.kw - 1 do terms[#terms + 1] = string.format("a[%d][%d] += dv * x%d;", t, j, j) end
    w:line(table.concat(terms, " "))
  end
  local function load_x(q)
    local xs, loads = {}, {}
    for r = 0, ra - 1 do
      for b = 0, c.kw - 1 do
        local j = r * c.kw + b
        xs[#xs + 1] = "x" .. j
        loads[#loads + 1] = string.format("vwload(&x%d, xr + oh * %d + %s + %d);", j, gm.Wp, q, r * gm.Wp + b)
      end
    end
    w:line("vwide dv, %s;", table.concat(xs, ", "))
    w:line(table.concat(loads, " "))
  end
  -- one vector at column q of the two rows under pooled row ph (the first
  -- `count` lanes, or all): the windows' gradients loaded once for both
  local function pooled_step(q, count)
    local half = tonumber(q) and tostring(tonumber(q) // 2) or q .. " / 2"
    local names = {}
    for t = 0, tg - 1 do names[#names + 1] = string.format("gv%d", t) end
    w:line("vwide %s;", table.concat(names, ", "))
    names = {}
    for t = 0, tg - 1 do names[#names + 1] = string.format("at%d", t) end
    w:line("vwlanes %s;", table.concat(names, ", "))
    for t = 0, tg - 1 do
      local pat = string.format("d + (size_t)%d * n * %d + ph * %d + %s", t, p.Ho * p.Wo, p.Wo, half)
      w:line("unpool_vector(&gv%d, &at%d, pg + %s, parg + %s, py + %s, %d);", t, t, pat, pat, pat,
        (count or lanes) // 2)
    end
    for r = 0, 1 do
      w:open("{ /* row %d of the window */", r)
      w:line("const int oh = 2 * ph + %d;", r)
      load_x(q)
      for t = 0, tg - 1 do
        w:line("unpool_lanes(&dv, &gv%d, &at%d, oh * %d + %s);", t, t, c.Wo, q)
        accumulate(t)
      end
      w:close()
    end
  end
  -- one vector of a row: loads of x and dy (whole, or the first `count` lanes)
  local function step(q, count)
    if p then return pooled_step(q, count) end
    load_x(q)
    for t = 0, tg - 1 do
      local at = string.format("d + (size_t)%d * n * %d + oh * %d + %s", t, plane, c.Wo, q)
      if count then
        w:line("dv = (vwide){ 0 }; memcpy(&dv, dy + %s, sizeof(%s) * %d);", at, g.T, count)
      else
        w:line("vwload(&dv, dy + %s);", at)
      end
      if util.masks_dy(node) then
        if count then
          w:line("{ vwide m = (vwide){ 0 }; memcpy(&m, y + %s, sizeof(%s) * %d); dv = (vwide)((vwlanes)dv & (m > (vwide){ 0 })); }",
            at, g.T, count)
        else
          w:line("{ vwide m; vwload(&m, y + %s); dv = (vwide)((vwlanes)dv & (m > (vwide){ 0 })); }", at)
        end
      end
      accumulate(t)
    end
  end
  if full > 0 then
    w:open("for (int q = 0; q < %d; q += %d) {", full, lanes)
    step("q", nil)
    w:close()
  end
  if full < cols then
    w:open("{ /* the last %d columns */", cols - full)
    step(tostring(full), cols - full)
    w:close()
  end
  w:close()
  w:close()
  w:open("if (%s) {", util.trains(node, "weight"))
  w:line("%s *dwr = dw + ((size_t)cb * %d * %d + ci) * %d + kb * %d;", g.T, tg, c.cin, taps, ra * c.kw)
  w:open("for (int t = 0; t < %d; ++t) {", tg)
  w:line("for (int k = 0; k < %d; ++k) put_grad(s, &dwr[t * %d + k], vwsum(&a[t][k]));", ra * c.kw, c.cin * taps)
  w:close()
  w:close()
  if c.bias then
    w:line("if (%s && ci == 0 && kb == 0)", util.trains(node, "bias"))
    w:line("    for (int t = 0; t < %d; ++t) put_grad(s, &db[cb * %d + t], vwsum(&bias[t]));", tg, tg)
  end
  w:close()
  w:close()
  w:close()
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
