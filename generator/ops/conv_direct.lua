-- The "direct" convolution strategy (stride 1): no im2col and no GEMM, for
-- layers where GEMM is poor because its inner dimension cin*kh*kw is small
-- (the stem of an image network, a few input channels). Register-tiled:
-- each tile is TCO output channels x 8 output columns of one output row,
-- held in TCO vector accumulators (GCC vector extensions, see helpers.lua),
-- and every window tap is one unrolled line with literal offsets.
--
-- Padding is done once per call into the workspace, so the tiles never test
-- bounds. The input gradient is the same kernel run over the output gradient
-- padded by k-1-p with the kernel flipped and transposed (a full correlation);
-- the weight gradient keeps one accumulator per tap.
local util = require("ops.util")

local direct = {}

local LANES = 8 -- the lanes of vreal (helpers.lua)
local SLACK = 16 -- a tile's last vector may read up to 7 elements past a row

-- Output channels per tile: the largest of 8, 4, 2, 1 that divides cout.
local function channels_per_tile(cout)
  for _, t in ipairs({ 8, 4, 2, 1 }) do
    if cout % t == 0 then return t end
  end
end

-- Geometry of the padded input (forward, weight gradient) and of the padded
-- output gradient (input gradient).
local function geometry(c)
  local gm = {}
  gm.padded = c.pt + c.pb + c.pl + c.pr > 0
  gm.Hp, gm.Wp = c.H + c.pt + c.pb, c.W + c.pl + c.pr
  gm.x_size = gm.padded and c.cin * gm.Hp * gm.Wp or 0 -- per image
  gm.Hd, gm.Wd = c.H + c.kh - 1, c.W + c.kw - 1
  gm.dy_size = c.cout * gm.Hd * gm.Wd -- per image
  gm.flip_size = c.cout * c.cin * c.kh * c.kw
  return gm
end

-- Whether the strategy applies, and if not why (for a spec that forces it).
function direct.problem(c)
  if c.sh ~= 1 or c.sw ~= 1 then return "needs stride 1" end
  if math.max(c.pt, c.pb) >= c.kh or math.max(c.pl, c.pr) >= c.kw then
    return "needs padding smaller than the kernel"
  end
  return nil
end

-- Workspace: per image (padded input, padded output gradient) and fixed
-- (flipped kernel, slack after each buffer).
function direct.work(c)
  local gm = geometry(c)
  return gm.x_size + gm.dy_size, gm.flip_size + 3 * SLACK
end

-- y[co][i][oh][ow] (+)= sum over ci and taps of wt[co][ci][a][b] * src[ci][i][oh + a][ow + b]:
-- the tiled kernel shared by forward and the input gradient. k describes it:
-- src, sh, sw (its plane), cin, cout, kh, kw, weights, dst, oh, ow (its plane),
-- bias (or nil), relu (max(y, 0) before the store: a fused relu) and
-- accumulate (add to dst instead of storing).
local function tiled(w, g, k)
  local tco = channels_per_tile(k.cout)
  local taps = k.cin * k.kh * k.kw
  w:line("#pragma omp parallel for collapse(2)")
  w:open("for (int cb = 0; cb < %d; ++cb) {", k.cout // tco)
  w:open("for (int r = 0; r < n * %d; ++r) {", k.oh)
  w:line("const int i = r / %d, oh = r %% %d;", k.oh, k.oh)
  w:line("const %s *wb = %s + (size_t)cb * %d;", g.T, k.weights, tco * taps)
  w:open("for (int t0 = 0; t0 < %d; t0 += %d) {", k.ow, LANES)
  for t = 0, tco - 1 do
    if k.bias then
      w:line("vreal a%d = (vreal){ 0 } + %s[cb * %d + %d];", t, k.bias, tco, t)
    else
      w:line("vreal a%d = { 0 };", t)
    end
  end
  w:open("for (int ci = 0; ci < %d; ++ci) {", k.cin)
  w:line("const %s *xr = %s + ((size_t)(ci * n + i) * %d + oh) * %d + t0;", g.T, k.src, k.sh, k.sw)
  w:line("const %s *wc = wb + ci * %d;", g.T, k.kh * k.kw)
  w:line("vreal v;")
  for a = 0, k.kh - 1 do
    for b = 0, k.kw - 1 do
      local tap = a * k.kw + b
      local terms = {}
      for t = 0, tco - 1 do terms[#terms + 1] = string.format("a%d += wc[%d] * v;", t, t * taps + tap) end
      w:line("vload(&v, xr + %d); %s", a * k.sw + b, table.concat(terms, " "))
    end
  end
  w:close()
  w:line("%s *yr = %s + ((size_t)cb * %d * n + i) * %d + oh * %d + t0;", g.T, k.dst, tco, k.oh * k.ow, k.ow)
  if tco > 1 then w:line("const size_t stride = (size_t)n * %d; /* one output channel */", k.oh * k.ow) end
  local store = k.accumulate and "vstore_add" or "vstore"
  if k.relu then
    w:line("/* the fused relu: keep the lanes > 0 */")
    for t = 0, tco - 1 do w:line("a%d = (vreal)((vlanes)a%d & (a%d > (vreal){ 0 }));", t, t, t) end
  end
  for t = 0, tco - 1 do
    w:line("%s(yr + %s, &a%d, %d - t0);", store, t == 0 and "0" or string.format("%d * stride", t), t, k.ow)
  end
  w:close()
  w:close()
  w:close()
end

-- Copy `planes` planes of h x w into zeroed planes of hp x wp at (top, left).
local function pad(w, g, dst, src, planes, h, wd, hp, wp, top, left)
  g.need("pad_planes")
  w:line("pad_planes(%s, %s, %s, %d, %d, %d, %d, %d, %d);", dst, src, planes, h, wd, hp, wp, top, left)
end

function direct.forward(node, w, g)
  local c, gm = node.conv, geometry(node.conv)
  g.need("vreal")
  local src = "x"
  if gm.padded then
    w:line("%s *xp = s->work; /* x padded: [%d][n][%d][%d] */", g.T, c.cin, gm.Hp, gm.Wp)
    pad(w, g, "xp", "x", string.format("%d * n", c.cin), c.H, c.W, gm.Hp, gm.Wp, c.pt, c.pl)
    src = "xp"
  end
  tiled(w, g, { src = src, sh = gm.Hp, sw = gm.Wp, cin = c.cin, cout = c.cout, kh = c.kh, kw = c.kw,
    weights = "w", dst = "y", oh = c.Ho, ow = c.Wo, bias = c.bias and "b" or nil, relu = node.fused_relu })
end

-- dw[co][ci][a][b] = (or +=) sum over images and outputs of dy[co][i][oh][ow] * xp[ci][i][oh + a][ow + b]:
-- full vectors of 8 columns, then the row's last columns one by one.
local function weight_gradient(w, g, c, gm, src)
  local taps = c.kh * c.kw
  local full = c.Wo // LANES * LANES
  w:line("#pragma omp parallel for collapse(2)")
  w:open("for (int co = 0; co < %d; ++co) {", c.cout)
  w:open("for (int ci = 0; ci < %d; ++ci) {", c.cin)
  for t = 0, taps - 1 do w:line("vreal a%d = { 0 }; %s s%d = 0;", t, g.T, t) end
  w:open("for (int r = 0; r < n * %d; ++r) {", c.Ho)
  w:line("const int i = r / %d, oh = r %% %d;", c.Ho, c.Ho)
  w:line("const %s *d = dy + ((size_t)co * n + i) * %d + oh * %d;", g.T, c.Ho * c.Wo, c.Wo)
  w:line("const %s *xr = %s + ((size_t)ci * n + i) * %d + oh * %d;", g.T, src, gm.Hp * gm.Wp, gm.Wp)
  if full > 0 then
    w:open("for (int t0 = 0; t0 < %d; t0 += %d) {", full, LANES)
    w:line("vreal dv, v;")
    w:line("vload(&dv, d + t0);")
    for a = 0, c.kh - 1 do
      for b = 0, c.kw - 1 do
        w:line("vload(&v, xr + t0 + %d); a%d += dv * v;", a * gm.Wp + b, a * c.kw + b)
      end
    end
    w:close()
  end
  if full < c.Wo then
    w:open("for (int ow = %d; ow < %d; ++ow) {", full, c.Wo)
    w:line("const %s dv = d[ow];", g.T)
    for a = 0, c.kh - 1 do
      local terms = {}
      for b = 0, c.kw - 1 do terms[#terms + 1] = string.format("s%d += dv * xr[ow + %d];", a * c.kw + b, a * gm.Wp + b) end
      w:line(table.concat(terms, " "))
    end
    w:close()
  end
  w:close()
  w:line("%s *dwc = dw + ((size_t)co * %d + ci) * %d;", g.T, c.cin, taps)
  for t = 0, taps - 1 do w:line("put_grad(s, &dwc[%d], vsum(&a%d) + s%d);", t, t, t) end
  w:close()
  w:close()
end

function direct.backward(node, w, g)
  local c, gm = node.conv, geometry(node.conv)
  g.need("vreal")
  w:open("if (%s) {", util.trains(node, "weight"))
  local src = "x"
  if gm.padded then
    w:line("%s *xp = s->work; /* x padded: [%d][n][%d][%d] */", g.T, c.cin, gm.Hp, gm.Wp)
    pad(w, g, "xp", "x", string.format("%d * n", c.cin), c.H, c.W, gm.Hp, gm.Wp, c.pt, c.pl)
    src = "xp"
  end
  weight_gradient(w, g, c, gm, src)
  w:close()
  w:open("if (need_dx) {")
  local after_xp = gm.padded and string.format("(size_t)n * %d + %d", gm.x_size, SLACK) or tostring(SLACK)
  w:line("%s *dyp = s->work + %s; /* dy padded by k-1-p: [%d][n][%d][%d] */", g.T, after_xp, c.cout, gm.Hd, gm.Wd)
  w:line("%s *wt = dyp + (size_t)n * %d + %d; /* w flipped and transposed: [%d][%d][%d][%d] */",
    g.T, gm.dy_size, SLACK, c.cin, c.cout, c.kh, c.kw)
  pad(w, g, "dyp", "dy", string.format("%d * n", c.cout), c.Ho, c.Wo, gm.Hd, gm.Wd, c.kh - 1 - c.pt, c.kw - 1 - c.pl)
  g.need("flip_kernel")
  w:line("flip_kernel(wt, w, %d, %d, %d, %d);", c.cout, c.cin, c.kh, c.kw)
  tiled(w, g, { src = "dyp", sh = gm.Hd, sw = gm.Wd, cin = c.cout, cout = c.cin, kh = c.kh, kw = c.kw,
    weights = "wt", dst = "dx", oh = c.H, ow = c.W, accumulate = not util.assigns_dx(node) })
  w:close()
end

return direct
