-- conv2d for one image, channel-major, in blocks of output channels whose
-- sums run over input channels and the (unrolled) kernel taps, so that the
-- innermost loop is long, contiguous and vectorized by GCC.
-- The input is first copied, zero-padded, into sh x sw phase planes (the
-- strides; plane (rh, rw) holds the padded rows = rh mod sh and columns = rw
-- mod sw), so that tap (kh, kw) of a strided convolution reads its phase plane
-- at stride 1. Outputs are then "wide" rows as wide as a phase plane: tap
-- (kh, kw) adds plane[p + (kh / sh) * Wq + kw / sw] to wide output p, one loop
-- over the whole plane; the extra columns are computed and dropped when the
-- block is stored. The sums live in the arena (a step temp), not on a small
-- target's stack. Every sum is bias + taps in (ci, kh, kw) order.
local conv = {}

-- Output channels per block: the most of 4, 2, 1 that divides them.
local function block(cout)
  for _, b in ipairs({ 4, 2, 1 }) do
    if cout % b == 0 then return b end
  end
end

function conv.prepare(step)
  local v = step.node.conv
  v.Hp, v.Wp = v.H + v.pt + v.pb, v.W + v.pl + v.pr
  v.Hq, v.Wq = (v.Hp + v.sh - 1) // v.sh, (v.Wp + v.sw - 1) // v.sw
  v.phase = v.Hq * v.Wq
  step.block = block(v.cout)
  -- the wide plane up to the last real output, rounded up to 8 so that every
  -- loop over it vectorizes without a remainder (GCC's -O2 cost model asks
  -- that); the copy's 8 extra zeros keep the last plane's reads inside it
  v.L = ((v.Ho - 1) * v.Wq + v.Wo + 7) // 8 * 8
  step.acc = { size = step.block * v.L }
  step.pad = { size = v.cin * v.sh * v.sw * v.phase + 8 }
  step.temps = { step.acc, step.pad }
end

local function phases(v, w, c, step)
  w:line("float *restrict xp = %s;", c.arena(step.pad))
  w:line("for (int i = 0; i < %d; ++i) xp[i] = 0.0f;", step.pad.size)
  local loops = { string.format("for (int ci = 0; ci < %d; ++ci) {", v.cin),
    string.format("for (int h = 0; h < %d; ++h) {", v.H) }
  w:nest(nil, loops, function()
    w:line("const int hp = h + %d;", v.pt)
    w:open("for (int j = 0; j < %d; ++j) {", v.W)
    w:line("const int wp = j + %d;", v.pl)
    local at = string.format("((ci * %d + hp %% %d) * %d + wp %% %d) * %d + hp / %d * %d + wp / %d", v.sh, v.sh, v.sw,
      v.sw, v.phase, v.sh, v.Wq, v.sw)
    w:line("xp[%s] = x[(ci * %d + h) * %d + j];", at, v.H, v.W)
    w:close()
  end)
end

-- One row of taps (kh fixed, kw = 0 .. KW-1) adds w_j[kw] * t[p + d_kw] to
-- wide output p of each channel j of the block, in kw order, so that each sum
-- is loaded and stored once per row of taps. A function of its own, since GCC
-- trusts restrict on parameters (and keeps it when inlining) but not on
-- pointers declared in a loop, and would otherwise test for overlap at run
-- time, which -O2 does not do.
function conv.helpers(step, w)
  local v, B = step.node.conv, step.block
  local params, weights, loads, sums, stores = {}, {}, {}, {}, {}
  for j = 0, B - 1 do
    params[#params + 1] = string.format("float *restrict a%d", j)
    loads[#loads + 1] = string.format("s%d = a%d[p]", j, j)
    stores[#stores + 1] = string.format("a%d[p] = s%d;", j, j)
  end
  params[#params + 1] = "const float *restrict t"
  local taps = {}
  for kw = 0, v.kw - 1 do
    taps[#taps + 1] = string.format("t%d = t[p + %d]", kw, (kw % v.sw) * v.phase + kw // v.sw)
  end
  for j = 0, B - 1 do
    params[#params + 1] = string.format("const float *restrict w%d", j)
    for kw = 0, v.kw - 1 do
      weights[#weights + 1] = string.format("w%d_%d = w%d[%d]", j, kw, j, kw)
      sums[#sums + 1] = string.format("s%d += w%d_%d * t%d;", j, j, kw, kw)
    end
  end
  w:func("static void step_%d_row(%s)", step.index, table.concat(params, ", "))
  w:line("const float %s;", table.concat(weights, ", "))
  w:open("for (int p = 0; p < %d; ++p) {", v.L)
  w:line("float %s;", table.concat(loads, ", "))
  w:line("const float %s;", table.concat(taps, ", "))
  w:line("%s", table.concat(sums, " "))
  w:line("%s", table.concat(stores, " "))
  w:close()
  w:close()
  w:line("")
end

local function taps(step, w, names)
  local v, B = step.node.conv, step.block
  for kh = 0, v.kh - 1 do
    local ws = {}
    for j = 0, B - 1 do ws[#ws + 1] = string.format("wc + %d", j * v.cin * v.kh * v.kw + kh * v.kw) end
    local at = (kh % v.sh) * v.sw * v.phase + (kh // v.sh) * v.Wq
    w:line("step_%d_row(%s, xc + %d, %s);", step.index, names, at, table.concat(ws, ", "))
  end
end

function conv.emit(step, w, c)
  local v, B = step.node.conv, step.block
  w:line("const float *restrict x = %s;", c.arena(step.ins[1]))
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:line("const float *restrict wt = %s, *restrict bias = %s;", c.weight(step.w_off), c.weight(step.b_off))
  phases(v, w, c, step)
  local accs, init, names = {}, {}, {}
  for j = 0, B - 1 do
    accs[#accs + 1] = string.format("*restrict a%d = %s + %d", j, c.arena(step.acc), j * v.L)
    init[#init + 1] = string.format("a%d[p] = bias[co + %d];", j, j)
    names[#names + 1] = string.format("a%d", j)
  end
  w:line("float %s;", table.concat(accs, ", "))
  w:open("for (int co = 0; co < %d; co += %d) {", v.cout, B)
  w:line("for (int p = 0; p < %d; ++p) { %s }", v.L, table.concat(init, " "))
  w:open("for (int ci = 0; ci < %d; ++ci) {", v.cin)
  w:line("const float *restrict wc = wt + ((size_t)co * %d + ci) * %d;", v.cin, v.kh * v.kw)
  w:line("const float *restrict xc = xp + (size_t)ci * %d;", v.sh * v.sw * v.phase)
  taps(step, w, table.concat(names, ", "))
  w:close()
  w:open("for (int oh = 0; oh < %d; ++oh) {", v.Ho)
  for j = 0, B - 1 do
    local store = string.format("y[((size_t)(co + %d) * %d + oh) * %d + ow] = s;", j, v.Ho, v.Wo)
    w:line("for (int ow = 0; ow < %d; ++ow) { float s = a%d[oh * %d + ow]; %s %s }", v.Wo, j, v.Wq,
      c.epilogue(step.epilogue, "s"), store)
  end
  w:close()
  w:close()
end

return conv
