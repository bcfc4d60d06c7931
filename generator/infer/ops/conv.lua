-- conv2d for one image, channel-major: blocks of output channels by output
-- rows, each block's rows accumulated in small arrays over input channels and
-- the (unrolled) kernel taps, so that the innermost loop runs over one output
-- row and GCC vectorizes it. Padding is a zeroed copy of the input (the step's
-- temp), so that no loop tests bounds. Sums are bias + taps in (ci, kh, kw) order.
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
  if v.Hp ~= v.H or v.Wp ~= v.W then step.temp = { size = v.cin * v.Hp * v.Wp } end
  step.block = block(v.cout)
end

local function pad(v, w, c, step)
  w:line("float *restrict xp = %s;", c.arena(step.temp))
  w:line("for (int i = 0; i < %d; ++i) xp[i] = 0.0f;", v.cin * v.Hp * v.Wp)
  w:nest(nil, { string.format("for (int ci = 0; ci < %d; ++ci) {", v.cin), string.format("for (int h = 0; h < %d; ++h) {", v.H) },
    function()
      w:line("for (int j = 0; j < %d; ++j) xp[(ci * %d + h + %d) * %d + j + %d] = x[(ci * %d + h) * %d + j];", v.W,
        v.Hp, v.pt, v.Wp, v.pl, v.H, v.W)
    end)
end

local function taps(v, w, B)
  for kh = 0, v.kh - 1 do
    w:line("const float *restrict r%d = xp + ((size_t)ci * %d + oh * %d + %d) * %d;", kh, v.Hp, v.sh, kh, v.Wp)
  end
  for kh = 0, v.kh - 1 do
    for kw = 0, v.kw - 1 do
      local ws, sums = {}, {}
      for j = 0, B - 1 do
        ws[#ws + 1] = string.format("w%d = wc[%d]", j, j * v.cin * v.kh * v.kw + kh * v.kw + kw)
        sums[#sums + 1] = string.format("a%d[ow] += w%d * t;", j, j)
      end
      w:open("{")
      w:line("const float %s;", table.concat(ws, ", "))
      local at = v.sw == 1 and string.format("ow + %d", kw) or string.format("ow * %d + %d", v.sw, kw)
      w:line("for (int ow = 0; ow < %d; ++ow) { const float t = r%d[%s]; %s }", v.Wo, kh, at, table.concat(sums, " "))
      w:close()
    end
  end
end

function conv.emit(step, w, c)
  local v, B = step.node.conv, step.block
  w:line("const float *restrict x = %s;", c.arena(step.ins[1]))
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:line("const float *restrict wt = %s, *restrict bias = %s;", c.weight(step.w_off), c.weight(step.b_off))
  if step.temp then pad(v, w, c, step) else w:line("const float *restrict xp = x;") end
  w:open("for (int co = 0; co < %d; co += %d) {", v.cout, B)
  w:open("for (int oh = 0; oh < %d; ++oh) {", v.Ho)
  local accs, init = {}, {}
  for j = 0, B - 1 do
    accs[#accs + 1] = string.format("a%d[%d]", j, v.Wo)
    init[#init + 1] = string.format("a%d[ow] = bias[co + %d];", j, j)
  end
  w:line("float %s;", table.concat(accs, ", "))
  w:line("for (int ow = 0; ow < %d; ++ow) { %s }", v.Wo, table.concat(init, " "))
  w:open("for (int ci = 0; ci < %d; ++ci) {", v.cin)
  w:line("const float *restrict wc = wt + ((size_t)co * %d + ci) * %d;", v.cin, v.kh * v.kw)
  taps(v, w, B)
  w:close()
  for j = 0, B - 1 do
    w:line("for (int ow = 0; ow < %d; ++ow) { float s = a%d[ow]; %s y[((size_t)(co + %d) * %d + oh) * %d + ow] = s; }",
      v.Wo, j, c.epilogue(step.epilogue, "s"), j, v.Ho, v.Wo)
  end
  w:close()
  w:close()
end

return conv
