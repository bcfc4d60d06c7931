-- maxpool2d, avgpool2d (the whole window's count, padding included, as
-- PyTorch and the trainer) and global_avgpool for one image, the window
-- unrolled with literal offsets and a bounds test only where padding reaches.
local pool = {}

local function window(p, visit)
  for ki = 0, p.kh - 1 do
    for kj = 0, p.kw - 1 do
      local guards = {}
      if p.ph > 0 then guards[#guards + 1] = string.format("h0 + %d >= 0 && h0 + %d < %d", ki, ki, p.H) end
      if p.pw > 0 then guards[#guards + 1] = string.format("w0 + %d >= 0 && w0 + %d < %d", kj, kj, p.W) end
      visit(string.format("(h0 + %d) * %d + w0 + %d", ki, p.W, kj), #guards > 0 and table.concat(guards, " && ") or nil)
    end
  end
end

function pool.emit(step, w, c)
  local p = step.node.pool
  w:line("const float *restrict x = %s;", c.arena(step.ins[1]))
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:open("for (int q = 0; q < %d; ++q) {", p.C)
  w:line("const float *restrict xq = x + (size_t)q * %d;", p.H * p.W)
  w:open("for (int oh = 0; oh < %d; ++oh) {", p.Ho)
  w:open("for (int ow = 0; ow < %d; ++ow) {", p.Wo)
  w:line("const int h0 = oh * %d - %d, w0 = ow * %d - %d;", p.sh, p.ph, p.sw, p.pw)
  local max = p.kind == "max"
  w:line("float s = %s;", max and "-FLT_MAX" or "0.0f")
  window(p, function(at, guard)
    local stmt = max and string.format("s = xq[%s] > s ? xq[%s] : s;", at, at) or string.format("s += xq[%s];", at)
    w:line(guard and ("if (" .. guard .. ") " .. stmt) or stmt)
  end)
  w:line("y[((size_t)q * %d + oh) * %d + ow] = %s;", p.Ho, p.Wo, max and "s" or ("s * " .. c.lit(1 / (p.kh * p.kw))))
  w:close()
  w:close()
  w:close()
end

function pool.emit_global(step, w, c)
  local C, S = step.node.gap.C, step.node.gap.S
  w:line("const float *restrict x = %s;", c.arena(step.ins[1]))
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:open("for (int ch = 0; ch < %d; ++ch) {", C)
  w:line("float s = 0.0f;")
  w:line("for (int j = 0; j < %d; ++j) s += x[(size_t)ch * %d + j];", S, S)
  w:line("y[ch] = s * %s;", c.lit(1 / S))
  w:close()
end

return pool
