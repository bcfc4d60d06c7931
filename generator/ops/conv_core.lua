-- Convolution shared by conv2d and conv1d (a conv1d is a conv2d of height 1).
-- Activations are channel-major, x[ci][n][H][W], so one convolution over the
-- whole batch is a single GEMM: y[co][n*Ho*Wo] = w[co][ci*kh*kw] * col.
-- Strategies: "gemm-1x1" (1x1, stride 1, no padding: GEMM on x itself),
-- "im2col-gemm" (window loops unrolled, one im2col row per window offset) and
-- "direct" (register-tiled kernels without GEMM, ops/conv_direct.lua) and
-- "winograd-2x2" / "winograd-4x4" (3x3 stride 1 by F(2x2, 3x3) or F(4x4, 3x3),
-- ops/conv_winograd.lua). The planner picks one per layer; a spec can force
-- one with strategy = "...". Grouped or dilated layers take "im2col-gemm"
-- (dilation in the im2col offsets; one im2col of all channels, then one GEMM
-- per group on its rows of the columns) or, with one group per
-- input channel, "depthwise" (ops/conv_depthwise.lua).
local errors = require("errors")
local util = require("ops.util")
local direct = require("ops.conv_direct")
local winograd = require("ops.conv_winograd")
local depthwise = require("ops.conv_depthwise")

local conv = {}

local function out_size(node, axis, size, k, s, p0, p1)
  local span = size + p0 + p1 - k
  if span < 0 then
    errors.layer_fail(node, "input %s is smaller than the kernel along the %s (%d + padding %d < %d)",
      util.shape_str(node.in_shape), axis, size, p0 + p1, k)
  end
  return span // s + 1
end

-- Padding along one axis: "valid", "same", explicit (already an integer), or
-- {before, after} from a spec's {top, left, bottom, right}.
local function pads(mode, size, k, s)
  if type(mode) == "table" then return mode[1], mode[2] end
  if mode == "valid" then return 0, 0 end
  if mode == "same" then
    local out = (size + s - 1) // s
    local total = math.max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2 -- the odd pixel goes after, as PyTorch and TF do
  end
  return mode, mode
end

-- An explicit padding is smaller than the kernel ("same" always is): a
-- window at the border would otherwise see padding only.
local function check_pad(node, axis, pad, k)
  for _, side in ipairs(type(pad) == "table" and pad or { pad }) do
    if type(side) == "number" and side >= k then
      errors.layer_fail(node, "padding %d is not smaller than the kernel %d along the %s", side, k, axis)
    end
  end
end

-- Groups split the channels as PyTorch's: out and in both divisible.
local function check_groups(node, c)
  if c.cin % c.groups ~= 0 or c.cout % c.groups ~= 0 then
    errors.layer_fail(node, "groups %d must divide the input channels %d and the output channels %d",
      c.groups, c.cin, c.cout)
  end
  c.cin_g, c.cout_g = c.cin // c.groups, c.cout // c.groups
end

-- Fill node.conv from normalized arguments: c = {cin, cout, H, W, kh, kw, sh, sw, pad_h, pad_w,
-- groups, dil_h, dil_w}. Padding, "same" and the output size see the dilated kernel
-- d * (k - 1) + 1; a dilation along an axis of kernel 1 changes nothing and is dropped.
function conv.setup(node, c, bias)
  c.groups = c.groups or 1
  c.dil_h = c.kh > 1 and c.dil_h or 1
  c.dil_w = c.kw > 1 and c.dil_w or 1
  check_groups(node, c)
  local kh, kw = c.dil_h * (c.kh - 1) + 1, c.dil_w * (c.kw - 1) + 1
  check_pad(node, "height", c.pad_h, kh)
  check_pad(node, c.axis_w or "width", c.pad_w, kw)
  c.pt, c.pb = pads(c.pad_h, c.H, kh, c.sh)
  c.pl, c.pr = pads(c.pad_w, c.W, kw, c.sw)
  c.Ho = out_size(node, "height", c.H, kh, c.sh, c.pt, c.pb)
  c.Wo = out_size(node, c.axis_w or "width", c.W, kw, c.sw, c.pl, c.pr)
  -- padding given per side, unequal: the strategies of grouped layers take it
  c.uneven = (type(c.pad_h) == "table" or type(c.pad_w) == "table") and (c.pt ~= c.pb or c.pl ~= c.pr)
  c.K = c.cin_g * c.kh * c.kw -- per group
  c.P = c.Ho * c.Wo
  c.bias = bias
  node.conv = c
  node.macs = c.cout * c.P * c.K
  -- GEMM sizes; the batch's output positions are also an int in every strategy's C
  node.blas = { { "output channels", c.cout }, { "K (input channels x kernel)", c.K },
    { "the batch's output positions", c.P, true } }
end

-- The plan pass (plan.lua): the strategy, and the workspace it needs.
function conv.plan(node)
  local c = node.conv
  c.strategy = conv.choose_strategy(node, c)
  if c.strategy == "direct" then
    node.work, node.work_fixed = direct.work(c)
  elseif winograd.TILES[c.strategy] then
    node.work, node.work_fixed = winograd.work(c)
  elseif c.strategy == "im2col-gemm" then
    node.work = c.groups * c.K * c.P -- per image, for the col buffer (all groups)
  end
end

-- Fusion (fuse.lua) offers the layer the 2x2 max pool that alone reads it.
-- The direct kernels take it: they pool their bands of output rows, and
-- going back rebuild dy from the pool's output gradient.
function conv.absorbs(node, epilogue)
  local c = node.conv
  if epilogue.op ~= "maxpool2x2" or conv.choose_strategy(node, c) ~= "direct" then return false end
  c.pooled = { rows = 2 * epilogue.pool.Ho, cols = 2 * epilogue.pool.Wo } -- the rows and columns under windows
  return true
end

-- Winograd pays off from this many input channels (make bench): it wins on
-- resnet18's 64-channel layers and loses on fmnist_cnn's 32-channel one. Below it the direct kernels take the stride-1 layers: they beat
-- im2col-gemm on the stems, on fmnist_cnn's 32-to-64 3x3 layer (forward at
-- twice the rate) and on inception_factorized's 3x1 and 1x3 layers.
local WINOGRAD_MIN_CIN = 64
-- 4x4 output tiles from this output size on (both sides), 2x2 below: on
-- resnet18's 4x4 layers, 4x4 tiles (one per image, so GEMMs 32 columns wide)
-- take twice as long as 2x2 tiles; on its 8x8 and larger layers they win.
local WINOGRAD_4X4_MIN_SIZE = 8

local function check_depthwise(node, c)
  if not depthwise.applies(c) then
    errors.layer_fail(node, "strategy \"depthwise\" needs groups equal to the input channels (%d), got %d",
      c.cin, c.groups)
  end
end

-- A grouped or dilated layer, or one padded per side: "depthwise" where each
-- group is one input channel, "im2col-gemm" otherwise; the other strategies
-- take none of these.
local function grouped_strategy(node, c, forced)
  if forced == nil or forced == "auto" then return depthwise.applies(c) and "depthwise" or "im2col-gemm" end
  util.choice(node, "strategy", forced, conv.STRATEGIES)
  if forced == "depthwise" then check_depthwise(node, c) end
  if forced == "im2col-gemm" or forced == "depthwise" then return forced end
  errors.layer_fail(node, "strategy \"%s\" takes no groups, dilation or padding given per side (these take " ..
    "\"im2col-gemm\"%s)", forced, depthwise.applies(c) and " or \"depthwise\"" or "")
end

-- The layer's strategy: the spec's `strategy`, checked, or the planner's
-- choice; a function of the layer's geometry alone.
function conv.choose_strategy(node, c)
  local is_1x1 = c.kh == 1 and c.kw == 1 and c.sh == 1 and c.sw == 1 and c.pt + c.pb + c.pl + c.pr == 0
  local forced = node.args.strategy
  if c.groups > 1 or c.dil_h > 1 or c.dil_w > 1 or c.uneven then return grouped_strategy(node, c, forced) end
  if forced == nil or forced == "auto" then
    if is_1x1 then return "gemm-1x1" end
    if c.cin < WINOGRAD_MIN_CIN and direct.problem(c) == nil then return "direct" end
    if c.cin >= WINOGRAD_MIN_CIN and winograd.problem(c) == nil then
      return math.min(c.Ho, c.Wo) >= WINOGRAD_4X4_MIN_SIZE and "winograd-4x4" or "winograd-2x2"
    end
    return "im2col-gemm"
  end
  util.choice(node, "strategy", forced, conv.STRATEGIES)
  if forced == "depthwise" then check_depthwise(node, c) end
  if forced == "gemm-1x1" and not is_1x1 then
    errors.layer_fail(node, "strategy \"gemm-1x1\" needs a 1x1 kernel, stride 1 and no padding")
  end
  local problem = (forced == "direct" and direct.problem(c)) or (winograd.TILES[forced] and winograd.problem(c))
  if problem then errors.layer_fail(node, "strategy \"%s\" %s", forced, problem) end
  return forced
end

conv.STRATEGIES = { "auto", "gemm-1x1", "im2col-gemm", "direct", "winograd-2x2", "winograd-4x4", "depthwise" }

local function declare(node, w, g, backward)
  local c = node.conv
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("const %s *w = %s;", g.T, g.params(node.p.weight))
  if backward and c.strategy == "direct" then
    if util.pools(node) then
      -- (the channel form's bias gradient masks it in place)
      local masked = c.bias and not direct.reads_dy_in_place(c)
      w:line("%s%s *pg = %s; /* the output gradient, of the max pool */", masked and "" or "const ",
        g.T, g.dacts(node.out_off))
      w:line("const int32_t *parg = %s; /* the pool's argmax */", g.index(node.index_off))
      w:line("const %s *py = %s; /* the output, pooled */", g.T, g.acts(node.out_off))
    else
      -- direct.backward masks dy as it copies it
      w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
      if util.masks_dy(node) then w:line("const %s *y = %s;", g.T, g.acts(node.out_off)) end
    end
    w:line("%s *dw = %s;", g.T, g.grads(node.p.weight))
    if c.bias then w:line("%s *db = %s;", g.T, g.grads(node.p.bias)) end
    w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  elseif backward then
    if util.masks_dy(node) then
      w:line("%s *dy = %s; /* masked in place by the fused relu */", g.T, g.dacts(node.out_off))
      w:line("const %s *y = %s;", g.T, g.acts(node.out_off))
    elseif c.bias then
      w:line("%s *dy = %s; /* writable for sum_rows, which masks it under a fused relu only */", g.T,
        g.dacts(node.out_off))
    else
      w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
    end
    w:line("%s *dw = %s;", g.T, g.grads(node.p.weight))
    if c.bias then w:line("%s *db = %s;", g.T, g.grads(node.p.bias)) end
    w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  else
    if c.bias then w:line("const %s *b = %s;", g.T, g.params(node.p.bias)) end
    if util.pools(node) then
      -- the output goes straight through the max pool the layer computes (fuse.lua)
      w:line("%s *py = %s; /* the output, pooled */", g.T, g.acts(node.out_off))
      w:line("int32_t *arg = %s; /* the pool's argmax */", g.index(node.index_off))
    else
      w:line("%s *y = %s;", g.T, g.acts(node.out_off))
    end
  end
  if c.strategy == "im2col-gemm" then w:line("%s *col = s->work; /* [%d][n*%d] */", g.T, c.groups * c.K, c.P) end
  local gemm = c.strategy == "gemm-1x1" or c.strategy == "im2col-gemm"
  if gemm or (backward and (c.bias or util.masks_dy(node)) and c.strategy ~= "direct") then
    w:line("const int np = n * %d;", c.P)
  end
end

-- One helper call per window offset, with every geometry argument a literal.
local function window_rows(node, w, g, helper, plane)
  local c = node.conv
  w:line("#pragma omp parallel for")
  w:open("for (int ci = 0; ci < %d; ++ci) {", c.cin)
  w:line("%s *xc = %s + (size_t)ci * n * %d;", plane, helper == "im2col_row" and "x" or "dx", c.H * c.W)
  if helper == "col2im_row" and util.assigns_dx(node) then
    w:line("memset(xc, 0, sizeof(%s) * (size_t)n * %d); /* the first gradient written into x */", g.T, c.H * c.W)
  end
  w:line("%s *cc = col + (size_t)ci * %d * np;", helper == "im2col_row" and g.T or "const " .. g.T, c.kh * c.kw)
  for ki = 0, c.kh - 1 do
    for kj = 0, c.kw - 1 do
      local r = ki * c.kw + kj
      local row = r == 0 and "cc" or string.format("cc + (size_t)%d * np", r)
      local dh, dw = ki * c.dil_h - c.pt, kj * c.dil_w - c.pl
      if helper == "im2col_row" then
        w:line("im2col_row(%s, xc, n, %d, %d, %d, %d, %d, %d, %d, %d);", row,
          c.H, c.W, c.Ho, c.Wo, c.sh, c.sw, dh, dw)
      else
        w:line("col2im_row(xc, %s, n, %d, %d, %d, %d, %d, %d, %d, %d);", row,
          c.H, c.W, c.Ho, c.Wo, c.sh, c.sw, dh, dw)
      end
    end
  end
  w:close()
end

-- The bias and a fused relu of a GEMM's output, in one pass over y.
local function epilogue(node, w, g)
  local c = node.conv
  if c.bias or util.fused_relu(node) then
    w:line("add_bias_rows(y, %s, %d, np, %d);", c.bias and "b" or "NULL", c.cout, util.fused_relu(node) and 1 or 0)
  end
end

-- Group gi's slice of a tensor of `rows` rows of `cols` values (a number or
-- "np"), or the tensor itself when the layer has one group.
local function slice(c, name, rows, cols)
  if c.groups == 1 then return name end
  if type(cols) == "number" then return string.format("%s + (size_t)gi * %d", name, rows * cols) end
  return string.format("%s + (size_t)gi * %d * %s", name, rows, cols)
end

-- body() once, or in a loop over the groups gi.
local function per_group(c, w, body)
  if c.groups == 1 then return body() end
  w:open("for (int gi = 0; gi < %d; ++gi) {", c.groups)
  body()
  w:close()
end

function conv.forward(node, w, g)
  local c = node.conv
  declare(node, w, g, false)
  if c.strategy == "direct" then return direct.forward(node, w, g) end -- bias and relu in the kernel
  if winograd.TILES[c.strategy] then return winograd.forward(node, w, g) end
  if c.strategy == "depthwise" then return depthwise.forward(node, w, g) end
  local src = "x"
  if c.strategy == "im2col-gemm" then
    window_rows(node, w, g, "im2col_row", "const " .. g.T)
    src = "col"
  end
  per_group(c, w, function()
    w:line("%s(CblasRowMajor, CblasNoTrans, CblasNoTrans, %d, np, %d, %s, %s, %d, %s, np, %s, %s, np);",
      g.gemm, c.cout_g, c.K, g.one, slice(c, "w", c.cout_g, c.K), c.K, slice(c, src, c.K, "np"), g.zero,
      slice(c, "y", c.cout_g, "np"))
  end)
  epilogue(node, w, g)
end

function conv.backward(node, w, g)
  local c = node.conv
  declare(node, w, g, true)
  if c.strategy == "direct" then return direct.backward(node, w, g) end
  if c.bias then
    -- the bias gradient's pass also applies a fused relu's mask
    w:line("if (%s) sum_rows(db, dy, %s, %d, np, %s);", util.trains(node, "bias"), util.masks_dy(node) and "y" or "NULL",
      c.cout, util.ACCUMULATE)
    if util.masks_dy(node) then w:line("else relu_mask(dy, y, (size_t)%d * np);", c.cout) end
  elseif util.masks_dy(node) then
    w:line("relu_mask(dy, y, (size_t)%d * np);", c.cout)
  end
  if winograd.TILES[c.strategy] then return winograd.backward(node, w, g) end
  if c.strategy == "depthwise" then return depthwise.backward(node, w, g) end
  local src = "x"
  local dy, wg, col = slice(c, "dy", c.cout_g, "np"), slice(c, "w", c.cout_g, c.K), slice(c, "col", c.K, "np")
  w:open("if (%s) {", util.trains(node, "weight"))
  if c.strategy == "im2col-gemm" then
    window_rows(node, w, g, "im2col_row", "const " .. g.T)
    src = col
  end
  per_group(c, w, function()
    w:line("%s(CblasRowMajor, CblasNoTrans, CblasTrans, %d, %d, np, %s, %s, np, %s, np, %s, %s, %d);",
      g.gemm, c.cout_g, c.K, g.one, dy, src, util.GRAD_BETA, slice(c, "dw", c.cout_g, c.K), c.K)
  end)
  w:close()
  w:open("if (need_dx) {")
  if c.strategy == "gemm-1x1" then
    w:line("%s(CblasRowMajor, CblasTrans, CblasNoTrans, %d, np, %d, %s, w, %d, dy, np, %s, dx, np);",
      g.gemm, c.K, c.cout, g.one, c.K, util.dx_beta(node, g))
  else
    per_group(c, w, function()
      w:line("%s(CblasRowMajor, CblasTrans, CblasNoTrans, %d, np, %d, %s, %s, %d, %s, np, %s, %s, np);",
        g.gemm, c.K, c.cout_g, g.one, wg, c.K, dy, g.zero, col)
    end)
    window_rows(node, w, g, "col2im_row", g.T)
  end
  w:close()
end

-- The strategy, as the generated comment header shows it.
function conv.strategy(node)
  local c = node.conv
  if c.strategy == "direct" and direct.scatters(c) then return "direct; backward scattered from the max pool's windows" end
  return c.strategy
end

function conv.describe(node, name)
  local c = node.conv
  local d = string.format("%s %dx%d", name, c.kh, c.kw)
  if name == "conv1d" then d = string.format("%s k%d", name, c.kw) end
  if c.sh ~= 1 or c.sw ~= 1 then
    d = d .. ((name == "conv1d" or c.sh == c.sw) and string.format(", stride %d", c.sw)
      or string.format(", stride %dx%d", c.sh, c.sw))
  end
  if c.pt + c.pb + c.pl + c.pr > 0 then
    local pads
    if name == "conv1d" then
      pads = c.pl == c.pr and tostring(c.pl) or string.format("%d/%d", c.pl, c.pr)
    elseif c.pt == c.pb and c.pl == c.pr then
      pads = c.pt == c.pl and tostring(c.pt) or string.format("%dx%d", c.pt, c.pl)
    else
      pads = string.format("%d/%d,%d/%d", c.pt, c.pb, c.pl, c.pr)
    end
    d = d .. ", pad " .. pads
  end
  if c.dil_h > 1 or c.dil_w > 1 then
    d = d .. ((name == "conv1d" or c.dil_h == c.dil_w) and string.format(", dilation %d", c.dil_w)
      or string.format(", dilation %dx%d", c.dil_h, c.dil_w))
  end
  if c.groups > 1 then d = d .. string.format(", groups %d", c.groups) end
  return d
end

-- Keys and defaults common to conv2d and conv1d.
conv.KEYS = { "k", "stride", "pad", "bias", "init", "bias_init", "strategy", "groups", "dilation" }

function conv.groups_arg(node)
  return util.int(node, "groups", node.args.groups or 1)
end

function conv.common_args(node)
  local a = node.args
  if a[1] == nil then errors.layer_fail(node, "missing the number of output channels: write %s{64, k = 3}", node.op) end
  if a.k == nil then errors.layer_fail(node, "missing the kernel size 'k'") end
  local bias = true
  if a.bias ~= nil then bias = util.bool(node, "bias", a.bias) end
  return util.int(node, "out channels", a[1], 1, math.maxinteger), bias
end

-- Padding argument: "valid" | "same" | integer | {h, w} or {top, left, bottom,
-- right} when pair is true, {left, right} when not (as ONNX's pads).
function conv.pad_arg(node, value, pair)
  if value == nil then return { "valid", "valid" } end
  local q = pair and util.pads_per_side(node, value)
  if q then return { { q[1], q[3] }, { q[2], q[4] } } end
  if value == "valid" or value == "same" then return { value, value } end
  if type(value) == "string" then
    errors.layer_fail(node, "'pad' must be \"valid\", \"same\" or a number%s, got \"%s\"",
      pair and " or {height, width}" or "", value)
  end
  if pair then return util.pair(node, "pad", value, 0) end
  if type(value) == "table" then -- {left, right}, ONNX's pads of a 1-d convolution
    if #value ~= 2 then
      errors.layer_fail(node, "'pad' must be a number or {left, right}, got a table of %d", #value)
    end
    return { 0, { util.int(node, "pad", value[1], 0), util.int(node, "pad", value[2], 0) } }
  end
  local p = util.int(node, "pad", value, 0)
  return { p, p }
end

return conv
