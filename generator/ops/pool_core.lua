-- Max and average pooling over channel-major planes x[c][n][H][W]: every
-- (channel, image) plane is pooled alone, so the loop runs over C*n planes
-- and the kh x kw window is unrolled with constant offsets. Max pooling
-- stores the argmax of each output so backward is a scatter, not a search.
-- Average pooling divides by kh*kw including padding (PyTorch's default);
-- with ceil_mode or count_include_pad = false the windows at the edges divide
-- by what they cover, as PyTorch's: the window clipped to the padded input,
-- or the real elements only.
local errors = require("errors")
local util = require("ops.util")

local pool = {}

pool.KEYS = { "k", "stride", "pad", "ceil_mode" }

-- Emit the loops over planes and outputs around body(), which sees each
-- window's origin (h0, w0) unless no_origin; plane_start() (optional) emits
-- lines at the start of each plane.
local function plane_loops(node, w, g, body, plane_start, no_origin)
  local p = node.pool
  w:line("#pragma omp parallel for")
  w:open("for (int q = 0; q < %d * n; ++q) {", p.C)
  w:line("const size_t in_plane = (size_t)q * %d, out_plane = (size_t)q * %d;", p.H * p.W, p.Ho * p.Wo)
  if plane_start then plane_start() end
  w:open("for (int oh = 0; oh < %d; ++oh) {", p.Ho)
  w:open("for (int ow = 0; ow < %d; ++ow) {", p.Wo)
  local function origin(o, s, pad) return pad > 0 and string.format("%s * %d - %d", o, s, pad) or string.format("%s * %d", o, s) end
  if not no_origin then w:line("const int h0 = %s, w0 = %s;", origin("oh", p.sh, p.ph), origin("ow", p.sw, p.pw)) end
  w:line("const size_t o = out_plane + (size_t)oh * %d + ow;", p.Wo)
  body()
  w:close()
  w:close()
  w:close()
end

-- Output size along one axis, as PyTorch's: with ceil_mode a last, partial
-- window, unless it would start in the padding after the input.
local function out_size(node, axis, size, k, s, pad, pad_end, ceil)
  local span = size + pad + pad_end - k
  if span < 0 then
    errors.layer_fail(node, "input %s is smaller than the %d-wide window along the %s",
      util.shape_str(node.in_shape), k, axis)
  end
  if not ceil then return span // s + 1 end
  local out = util.ceil_div(span, s) + 1
  if (out - 1) * s >= size + pad then out = out - 1 end
  return out
end

-- p = {C, H, W, kh, kw, sh, sw, ph, pw, ceil_mode, count_include_pad}, and the
-- padding after, pb and pr, where it differs from ph and pw; fills Ho, Wo.
function pool.setup(node, p, kind)
  p.pb, p.pr = p.pb or p.ph, p.pr or p.pw
  for _, axis in ipairs({ { "height", p.kh, p.ph, p.pb }, { p.axis_w or "width", p.kw, p.pw, p.pr } }) do
    local name, k = axis[1], axis[2]
    for _, pad in ipairs({ axis[3], axis[4] }) do
      -- padding below the window keeps a real element in every window (ONNX
      -- allows it; PyTorch stops at half the window)
      if pad >= k then
        errors.layer_fail(node, "padding %d is not smaller than the window %d along the %s", pad, k, name)
      end
    end
  end
  p.Ho = out_size(node, "height", p.H, p.kh, p.sh, p.ph, p.pb, p.ceil_mode)
  p.Wo = out_size(node, p.axis_w or "width", p.W, p.kw, p.sw, p.pw, p.pr, p.ceil_mode)
  -- whether a window along the axis can reach past the input: padding, or ceil_mode's last window
  p.guard_h = p.ph > 0 or (p.Ho - 1) * p.sh - p.ph + p.kh > p.H
  p.guard_w = p.pw > 0 or (p.Wo - 1) * p.sw - p.pw + p.kw > p.W
  p.kind = kind
  node.pool = p
  if kind == "max" then node.index = p.C * p.Ho * p.Wo end -- int32 argmax per output, per image
end

-- Window elements: each with a bounds guard only when padding can reach it.
local function each_window(node, visit)
  local p = node.pool
  for ki = 0, p.kh - 1 do
    for kj = 0, p.kw - 1 do
      local guards = {}
      if p.guard_h then guards[#guards + 1] = string.format("h0 + %d >= 0 && h0 + %d < %d", ki, ki, p.H) end
      if p.guard_w then guards[#guards + 1] = string.format("w0 + %d >= 0 && w0 + %d < %d", kj, kj, p.W) end
      local at = string.format("(h0 + %d) * %d + w0 + %d", ki, p.W, kj)
      visit(at, #guards > 0 and table.concat(guards, " && ") or nil)
    end
  end
end

local function guarded(w, guard, stmt)
  if guard then w:line("if (%s) %s", guard, stmt) else w:line("%s", stmt) end
end

-- Whether a pool is a 2x2 max pool with stride 2 and no padding, which the
-- layer before it may compute (fuse.lua).
function pool.max_2x2(p)
  return p.kind == "max" and p.kh == 2 and p.kw == 2 and p.sh == 2 and p.sw == 2 and not (p.guard_h or p.guard_w)
end

-- A max pool's window without padding: every element in the plane; the
-- first one starts, and a larger one replaces it; the argmax by a bit mask,
-- as GCC compiles a select there to a branch that the data mispredicts.
local function max_window(node, w, g)
  local first = true
  each_window(node, function(at)
    if first then
      w:line("int32_t a = %s;", at)
      w:line("%s m = x[in_plane + a];", g.T)
      first = false
    else
      w:line("{ const int32_t i = %s; const %s v = x[in_plane + i]; a ^= (a ^ i) & -(int32_t)(v > m); " ..
        "m = v > m ? v : m; }", at, g.T)
    end
  end)
end

-- A max pool's window with padding: only the elements inside the plane.
local function max_window_padded(node, w, g)
  w:line("%s m = -INFINITY;", g.T)
  w:line("int32_t a = -1;")
  each_window(node, function(at, guard)
    guarded(w, guard, string.format("{ const int32_t i = %s; if (a < 0 || x[in_plane + i] > m) { m = x[in_plane + i]; a = i; } }", at))
  end)
end

-- Each window's divisor along one axis, as PyTorch's average counts it, or
-- nil when every window divides by k.
local function divisors(p, size, k, s, pad, pad_end, out)
  local counts, varies = {}, false
  for i = 0, out - 1 do
    local o = i * s - pad
    local count = p.count_include_pad and math.min(o + k, size + pad_end) - o or math.min(o + k, size) - math.max(o, 0)
    counts[#counts + 1] = count
    varies = varies or count ~= k
  end
  return varies and counts or nil
end

-- The average's factor: the literal 1 / (kh kw), or for each output one over
-- its window's divisors, from a table per axis whose windows differ.
local function avg_factor(node, w, g)
  local p = node.pool
  local rows = divisors(p, p.H, p.kh, p.sh, p.ph, p.pb, p.Ho)
  local cols = divisors(p, p.W, p.kw, p.sw, p.pw, p.pr, p.Wo)
  if not rows and not cols then return g.lit(1 / (p.kh * p.kw)) end
  local function axis(name, counts, k, index)
    if not counts then return tostring(k) end
    w:line("static const int %s[%d] = { %s };", name, #counts, table.concat(counts, ", "))
    return string.format("%s[%s]", name, index)
  end
  local h, v = axis("rows", rows, p.kh, "oh"), axis("cols", cols, p.kw, "ow")
  return string.format("(%s / (%s)(%s * %s))", g.one, g.T, h, v)
end

function pool.forward(node, w, g)
  local p = node.pool
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  if p.kind == "max" then
    w:line("int32_t *arg = %s;", g.index(node.index_off))
    plane_loops(node, w, g, function()
      if p.guard_h or p.guard_w then max_window_padded(node, w, g) else max_window(node, w, g) end
      w:line("y[o] = m;")
      w:line("arg[o] = a;")
    end)
    return
  end
  local factor = avg_factor(node, w, g)
  plane_loops(node, w, g, function()
    w:line("%s sum = %s;", g.T, g.zero)
    each_window(node, function(at, guard) guarded(w, guard, string.format("sum += x[in_plane + %s];", at)) end)
    w:line("y[o] = sum * %s;", factor)
  end)
end

-- Whether the windows cover the plane exactly once (stride = window, no
-- padding, nothing left over), as a 2x2 pool over an even plane does.
local function windows_tile(p)
  return p.sh == p.kh and p.sw == p.kw and not (p.guard_h or p.guard_w) and p.Ho * p.kh == p.H and p.Wo * p.kw == p.W
end

function pool.backward(node, w, g)
  local p = node.pool
  -- whether this pool applies the mask of the relu fused into the layer before it (fuse.lua)
  local masks_relu = node.masks_relu_before
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  if p.kind == "max" then w:line("const int32_t *arg = %s;", g.index(node.index_off)) end
  -- the gradient at the maximum, or with the mask of the relu before (fuse.lua) zero where it
  -- let nothing through (the maximum, the pool's output, is not positive)
  local function gradient()
    w:line("%s%s d = dy[o];", masks_relu and "" or "const ", g.T)
    if masks_relu then
      -- and-ed bits: GCC compiles a select here to a branch, which the relu mask would make
      -- unpredictable
      w:line("{ lane_index bits; memcpy(&bits, &d, sizeof bits); bits &= -(lane_index)(y[o] > %s); " ..
        "memcpy(&d, &bits, sizeof d); }", g.zero)
    end
  end
  if masks_relu then
    w:line("const %s *y = %s; /* the relu before the pool passes dy where y > 0 */", g.T, g.acts(node.out_off))
  end
  if util.assigns_dx(node) and windows_tile(p) then
    -- every input under exactly one window: each is written once, nothing zeroed
    plane_loops(node, w, g, function()
      if p.kind == "max" then
        w:line("const int32_t a = arg[o];")
        gradient()
        each_window(node, function(at) w:line("dx[in_plane + %s] = a == %s ? d : %s;", at, at, g.zero) end)
      else
        w:line("const %s d = dy[o] * %s;", g.T, g.lit(1 / (p.kh * p.kw)))
        each_window(node, function(at) w:line("dx[in_plane + %s] = d;", at) end)
      end
    end)
    return
  end
  -- windows add into dx (the max pool's only at their maxima); a first write zeroes the plane
  local zero_plane = util.assigns_dx(node) and function()
    w:line("memset(dx + in_plane, 0, sizeof(%s) * %d);", g.T, p.H * p.W)
  end
  if p.kind == "max" then
    plane_loops(node, w, g, function()
      gradient()
      w:line("if (arg[o] >= 0) dx[in_plane + arg[o]] += d;")
    end, zero_plane, true)
  else
    local factor = avg_factor(node, w, g)
    plane_loops(node, w, g, function()
      w:line("const %s d = dy[o] * %s;", g.T, factor)
      each_window(node, function(at, guard) guarded(w, guard, string.format("dx[in_plane + %s] += d;", at)) end)
    end, zero_plane)
  end
end

function pool.describe(node, name)
  local p = node.pool
  local d
  if p.H == 1 and p.kh == 1 and name:find("1d") then
    d = string.format("%s k%d", name, p.kw)
    if p.sw ~= p.kw then d = d .. string.format(", stride %d", p.sw) end
    if p.pw > 0 then d = d .. string.format(", pad %d", p.pw) end
  else
    local function pair(a, b) return a == b and tostring(a) or string.format("%dx%d", a, b) end
    d = string.format("%s %dx%d", name, p.kh, p.kw)
    if p.sh ~= p.kh or p.sw ~= p.kw then d = d .. ", stride " .. pair(p.sh, p.sw) end
    if p.ph ~= p.pb or p.pw ~= p.pr then
      d = d .. string.format(", pad %d/%d,%d/%d", p.ph, p.pb, p.pw, p.pr)
    elseif p.ph + p.pw > 0 then
      d = d .. ", pad " .. pair(p.ph, p.pw)
    end
  end
  if p.ceil_mode then d = d .. ", ceil" end
  if not p.count_include_pad and p.kind == "avg" then d = d .. ", padding not counted" end
  return d
end

-- pad = p | {h, w} | {top, left, bottom, right} (ONNX's pads): {top, left, bottom, right}.
function pool.pads(node, value)
  local q = util.pads_per_side(node, value)
  if q then return q end
  local p = util.pair(node, "pad", value, 0)
  return { p[1], p[2], p[1], p[2] }
end

-- A boolean key, or its default.
function pool.flag(node, key, default)
  if node.args[key] == nil then return default end
  return util.bool(node, key, node.args[key])
end

-- Shared by maxpool2d and avgpool2d: k = n | {kh, kw}, stride defaults to k.
function pool.op2d(kind, name)
  local keys = { table.unpack(pool.KEYS) }
  if kind == "avg" then keys[#keys + 1] = "count_include_pad" end
  local op = { positional = { "k" }, keys = keys }
  function op.infer(node, shape)
    util.expect_rank(node, shape, { 3 }, "an image (channels x height x width); " .. name .. " needs 3 dimensions")
    local a = node.args
    local kv = a.k or a[1]
    if kv == nil then errors.layer_fail(node, "missing the window size: write %s{2}", name) end
    local k = util.pair(node, "k", kv)
    local s = util.pair(node, "stride", a.stride or k)
    local pad = pool.pads(node, a.pad or 0)
    pool.setup(node, { C = shape[1], H = shape[2], W = shape[3], kh = k[1], kw = k[2],
      sh = s[1], sw = s[2], ph = pad[1], pw = pad[2], pb = pad[3], pr = pad[4],
      ceil_mode = pool.flag(node, "ceil_mode", false),
      count_include_pad = pool.flag(node, "count_include_pad", true) }, kind)
    node.desc = pool.describe(node, name)
    return { shape[1], node.pool.Ho, node.pool.Wo }
  end
  op.forward = pool.forward
  op.backward = pool.backward
  function op.strategy() return "direct" end
  return op
end

return pool
