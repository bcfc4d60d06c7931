-- The forward of a direct convolution (ops/conv_direct.lua) that computes the
-- 2x2 max pool after it (fuse.lua), with vectors across output channels
-- instead of positions: a register tile is TCV vectors of output channels x
-- the 4 positions of NW pool windows, so only the positions under a window
-- are computed (the wide kernels compute whole padded rows: 144 positions
-- for the 100 that fmnist_cnn's 32-to-64 layer pools), and the pool is a max
-- of whole vectors, without shuffles. Per input channel and tap, TCV loads of
-- the weights (transposed to [ci][a][b][co] first) and 4*NW broadcasts of the
-- padded input feed 4*NW*TCV fused multiply-adds.
local util = require("ops.util")
local tiles = require("ops.conv_tiles")
local regtile = require("ops.conv_regtile")

local pooled = {}

-- The form from this many input channels on: on fmnist_cnn's one-channel
-- stem it takes 0.97 ms against the wide kernel's 0.77 (each weight vector
-- feeds 4 multiply-adds per window and input channel, and there is one input
-- channel to reuse it over).
local MIN_CIN = 8

-- Whether the layer's forward takes this form: enough input channels, and
-- output channels in whole vectors of the widest width (so of every width).
function pooled.applies(c, widest)
  return c.pooled ~= nil and c.cout % widest == 0 and c.cin >= MIN_CIN
end

-- Fixed workspace: the transposed weights.
function pooled.fixed(c)
  return c.cin * c.kh * c.kw * c.cout
end

-- The tile for one vector width and a row of `windows` windows: the fewest
-- cycles, counting a tap's step as max(multiply-adds, loads) (two of each a
-- cycle) and the windows that partial tiles leave unused; ties go to more
-- accumulators.
local function tile(vw, cout, windows)
  local vectors, candidates = cout // vw.lanes, {}
  for tcv = 1, vectors do
    for nw = 1, windows do
      if vectors % tcv == 0 and tcv * 4 * nw <= vw.accumulators then candidates[#candidates + 1] = { tcv = tcv, nw = nw } end
    end
  end
  return tiles.best(candidates,
    function(t) return (vectors // t.tcv) * util.ceil_div(windows, t.nw) * tiles.step(t.tcv * 4 * t.nw, t.tcv + 4 * t.nw) end,
    function(t) return t.tcv * t.nw end)
end

-- wt = the weights as [ci][a][b][co], at `fixed`: in blocks of 8 output channels x 8
-- (input channel, tap) pairs j, transposed in registers (element by element, the
-- transposition would take as long as the convolution at batch 1); the pairs past the last
-- multiple of 8 one by one, as a block would read past each weight row and write past wt.
local function transpose_weights(w, g, c, fixed)
  local taps = c.kh * c.kw
  local pairs = c.cin * taps
  local blocked = pairs // 8 * 8
  w:line("%s *wt = %s; /* the weights as [%d][%d][%d][%d] */", g.T, fixed, c.cin, c.kh, c.kw, c.cout)
  if blocked > 0 then
    w:line("#pragma omp parallel for")
    w:open("for (int j0 = 0; j0 < %d; j0 += 8) { /* pairs j: input channel j / %d, tap j %% %d */", blocked, taps, taps)
    w:open("for (int co = 0; co < %d; co += 8) {", c.cout)
    w:line("vreal r[8];")
    w:line("for (int k = 0; k < 8; ++k) vload(&r[k], w + (size_t)(co + k) * %d + j0);", pairs)
    w:line("transpose8(wt + (size_t)j0 * %d + co, %d, r);", c.cout, c.cout)
    w:close()
    w:close()
  end
  if blocked < pairs then
    w:line("for (int j = %d; j < %d; ++j)", blocked, pairs)
    w:line("    for (int co = 0; co < %d; ++co) wt[(size_t)j * %d + co] = w[(size_t)co * %d + j];", c.cout, c.cout, pairs)
  end
end

-- The multiply-adds of a tile of nw windows from window pw (a literal, or an
-- expression of pt) into its accumulators a, from the bias or zeros; k holds
-- the layer's c and gm, the tile t, lanes, and channels per tile.
local function accumulate(w, g, k, nw, pw)
  local c, gm, t, lanes = k.c, k.gm, k.t, k.lanes
  w:line("const %s *xt = xr + 2 * (%s); /* the tile's first input column */", g.T, pw)
  regtile.declare(w, "a", t.tcv, 4 * nw)
  for v = 0, t.tcv - 1 do
    if c.bias then
      w:line("vwload(&a[%d][0], b + cb * %d + %d);", v, k.channels, v * lanes)
      w:line("for (int q = 1; q < %d; ++q) a[%d][q] = a[%d][0];", 4 * nw, v, v)
    else
      w:line("for (int q = 0; q < %d; ++q) a[%d][q] = (vwide){ 0 };", 4 * nw, v)
    end
  end
  w:open("for (int ci = 0; ci < %d; ++ci) {", c.cin)
  w:line("const %s *xc = xt + (size_t)ci * n * %d;", g.T, gm.x_plane)
  w:line("const %s *wc = wb + ci * %d;", g.T, c.kh * c.kw * c.cout)
  w:line("vwide %s;", regtile.names("w", t.tcv))
  for a = 0, c.kh - 1 do
    for b = 0, c.kw - 1 do
      local tap = a * c.kw + b
      w:line("%s /* tap (%d, %d) */", regtile.loads("w", t.tcv, "wc", function(v) return tap * c.cout + v * lanes end), a, b)
      -- position q = 4 k + 2 r + s: row r, column s of the tile's window k
      regtile.rows(w, 4 * nw, t.tcv, function(q, v) return regtile.fma("a", v, q, "w" .. v .. " * xv") end,
        function(q, text)
          local win, r, col = q // 4, q % 4 // 2, q % 2
          return string.format("{ const %s xv = xc[%d]; %s }", g.T, (r + a) * gm.Wp + 2 * win + col + b, text)
        end)
    end
  end
  w:close()
end

-- A tile: its accumulators, then each window's max pool into py and arg.
local function emit_tile(w, g, k, nw, pw)
  accumulate(w, g, k, nw, pw)
  for win = 0, nw - 1 do
    for v = 0, k.t.tcv - 1 do
      local at = string.format("po + (size_t)%d * n * %d + %s + %d", v * k.lanes, k.windows, pw, win)
      w:line("max_pool_lanes(py + %s, arg + %s, (const vwide[4]){ a[%d][%d], a[%d][%d], a[%d][%d], a[%d][%d] }, " ..
        "ph * %d + 2 * (%s + %d), %d, (size_t)n * %d);", at, at, v, 4 * win, v, 4 * win + 1, v, 4 * win + 2, v,
        4 * win + 3, 2 * k.c.Wo, pw, win, k.c.Wo, k.windows)
    end
  end
end

-- The forward, after direct.forward has padded x into xp (planes of
-- gm.x_plane values, rows gm.Wp long); `fixed` is the fixed workspace, vw the
-- vector width (lanes, accumulators) whose code this is.
function pooled.forward(w, g, node, c, gm, fixed, vw)
  local p = util.pools(node)
  local windows = p.Ho * p.Wo
  local t = tile(vw, c.cout, p.Wo)
  local lanes, channels = vw.lanes, t.tcv * vw.lanes
  local k = { c = c, gm = gm, t = t, lanes = lanes, channels = channels, windows = windows }
  transpose_weights(w, g, c, fixed)
  w:line("/* tiles: %d x %d output channels x %d windows of 2x2 outputs */", t.tcv, lanes, t.nw)
  w:line("#pragma omp parallel for collapse(3) schedule(static)")
  w:open("for (int i = 0; i < n; ++i) {")
  w:open("for (int cb = 0; cb < %d; ++cb) { /* %d channels */", c.cout // channels, channels)
  w:open("for (int ph = 0; ph < %d; ++ph) { /* pooled rows: output rows 2 ph and 2 ph + 1 */", p.Ho)
  w:line("const %s *xr = xp + (size_t)i * %d + ph * %d;", g.T, gm.x_plane, 2 * gm.Wp)
  w:line("const %s *wb = wt + cb * %d;", g.T, channels)
  w:line("const size_t po = ((size_t)cb * %d * n + i) * %d + ph * %d; /* the tile's first pooled output */",
    channels, windows, p.Wo)
  local full = p.Wo // t.nw
  if full > 0 then
    w:open("for (int pt = 0; pt < %d; ++pt) { /* tiles of %d windows */", full, t.nw)
    emit_tile(w, g, k, t.nw, string.format("pt * %d", t.nw))
    w:close()
  end
  if full * t.nw < p.Wo then
    w:open("{ /* the last %d windows */", p.Wo - full * t.nw)
    emit_tile(w, g, k, p.Wo - full * t.nw, tostring(full * t.nw))
    w:close()
  end
  w:close()
  w:close()
  w:close()
end

return pooled
