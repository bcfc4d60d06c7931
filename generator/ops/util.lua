-- Argument checking and small helpers shared by the op modules.
local errors = require("errors")

local util = {}

local INT_MAX = 2147483647 -- limits.INT_MAX (limits.lua requires this module)

-- A positive (or >= min) integer argument (3.0 counts), at most max: by
-- default what the generated C's int holds. Sizes that limits.lua checks with
-- a reason of their own pass math.maxinteger.
function util.int(node, key, value, min, max)
  min, max = min or 1, max or INT_MAX
  if type(value) == "number" and value > max then -- inf and floats past Lua's integers too
    errors.layer_fail(node, "'%s' must be at most %s%s, got %s", key, util.commas(max),
      max == INT_MAX and " (the generated C uses int)" or "", tostring(value))
  end
  local v = type(value) == "number" and math.tointeger(value)
  if not v or v < min then
    errors.layer_fail(node, "'%s' must be an integer >= %d, got %s", key, min, tostring(value))
  end
  return v
end

-- An integer or a {height, width} pair of integers.
function util.pair(node, key, value, min)
  if type(value) == "table" then
    if #value ~= 2 then
      errors.layer_fail(node, "'%s' must be a number or {height, width}, got a table of %d", key, #value)
    end
    return { util.int(node, key, value[1], min), util.int(node, key, value[2], min) }
  end
  local v = util.int(node, key, value, min)
  return { v, v }
end

-- pad = {top, left, bottom, right} (ONNX's pads) as four integers, or nil for
-- a number or a {height, width} pair.
function util.pads_per_side(node, value)
  if type(value) ~= "table" or #value == 2 then return nil end
  if #value ~= 4 then
    errors.layer_fail(node, "'pad' must be a number, {height, width} or {top, left, bottom, right}, got a table of %d",
      #value)
  end
  local q = {}
  for i = 1, 4 do q[i] = util.int(node, "pad", value[i], 0) end
  return q
end

function util.bool(node, key, value)
  if type(value) ~= "boolean" then
    errors.layer_fail(node, "'%s' must be true or false, got %s", key, tostring(value))
  end
  return value
end

function util.number(node, key, value, lo, hi)
  if type(value) ~= "number" or value ~= value or value < lo or value > hi then
    errors.layer_fail(node, "'%s' must be a number in [%g, %g], got %s", key, lo, hi, tostring(value))
  end
  return value
end

function util.choice(node, key, value, choices)
  for _, c in ipairs(choices) do
    if value == c then return value end
  end
  errors.layer_fail(node, "'%s' must be one of %s, got %s", key, table.concat(choices, ", "), tostring(value))
end

function util.shape_str(shape) return table.concat(shape, "x") end

-- a / b rounded up, for positive integers.
function util.ceil_div(a, b) return (a + b - 1) // b end

function util.numel(shape)
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  return n
end

-- Thousands separators for summary figures: 225034 -> "225,034".
function util.commas(v)
  local s = tostring(math.tointeger(v) or v)
  local sign, digits = s:match("^(-?)(%d+)$")
  if not digits then return s end
  return sign .. digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
end

-- Rank checks produce the same message everywhere.
function util.expect_rank(node, shape, ranks, what)
  for _, r in ipairs(ranks) do
    if #shape == r then return end
  end
  errors.layer_fail(node, "input %s is not %s", util.shape_str(shape), what)
end

-- Weight initializers a spec can name (runtime/init.c implements them).
util.WEIGHT_INITS = { "default", "xavier_uniform", "xavier_normal", "kaiming_normal", "zeros" }
util.BIAS_INITS = { "default", "zeros" }

-- Parameters of conv/linear: weight and optional bias, PyTorch names and defaults.
function util.weight_and_bias(node, bias, shape, fan_in, fan_out)
  local a = node.args
  local init = util.choice(node, "init", a.init or "default", util.WEIGHT_INITS)
  local bias_default = init == "default" and "default" or "zeros"
  local params = {
    { suffix = "weight", shape = shape, init = init, fan_in = fan_in, fan_out = fan_out, decay = true },
  }
  if bias then
    local bias_init = util.choice(node, "bias_init", a.bias_init or bias_default, util.BIAS_INITS)
    params[2] = { suffix = "bias", shape = { shape[1] }, init = bias_init, fan_in = fan_in, fan_out = fan_out, decay = false }
  end
  return params
end

-- The C condition under which backward computes the gradient of the node's
-- parameter `suffix`: the trainer can freeze tensors (see emit/model.lua).
function util.trains(node, suffix)
  return string.format("trains(s, %d)", util.tensor_index(node, suffix))
end

-- The index in the model's tensor table of the node's parameter `suffix`.
function util.tensor_index(node, suffix)
  for _, p in ipairs(node.params) do
    if p.suffix == suffix then return p.index end
  end
  error("no parameter " .. suffix .. " in " .. node.path)
end

-- Parameter gradients are written by backward, or added to when the trainer
-- accumulates micro-batches: the C flag, and the BLAS beta it selects
-- (helpers in emit/model.lua).
util.ACCUMULATE = "s->accumulate_grads"
util.GRAD_BETA = "grad_beta(s)"

-- Whether a node's backward is the first to write the gradient of its input
-- k (default 1), and so assigns it rather than adding to what another
-- consumer of the same tensor wrote (emit/model.lua plans that): no gradient
-- buffer needs zeroing first.
function util.assigns_dx(node, k)
  return node.dx_assign[k or 1]
end

-- The C operator that writes the gradient of input k: "=" or "+=".
function util.dx_op(node, k)
  return util.assigns_dx(node, k) and "=" or "+="
end

-- The beta of a GEMM or GEMV that writes the gradient of input k: 0 or 1.
function util.dx_beta(node, g, k)
  return util.assigns_dx(node, k) and g.zero or g.one
end

-- The step `op` of the node's epilogue (what fusion folded into it, fuse.lua), or nil.
function util.epilogue(node, op)
  for _, step in ipairs(node.epilogue or {}) do
    if step.op == op then return step end
  end
end

function util.fused_relu(node)
  return util.epilogue(node, "relu") ~= nil
end

-- Whether a node's backward applies its fused relu's mask (dy passes where
-- y > 0): not when the max pool after it applies the mask (fuse.lua).
function util.masks_dy(node)
  local relu = util.epilogue(node, "relu")
  return relu ~= nil and not relu.masked_after
end

-- The 2x2 max pool the node computes after itself (fuse.lua), or nil.
function util.pools(node)
  local step = util.epilogue(node, "maxpool2x2")
  return step and step.pool
end

-- Backward of a layer that multiplied its input by a kept mask (dropout,
-- DropBlock): dx = dy * mask over n * elems values.
function util.mask_backward(node, w, g, elems)
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  w:line("const %s *mask = %s;", g.T, g.acts(node.saved_off))
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  w:line("#pragma omp parallel for")
  w:line("for (size_t i = 0; i < (size_t)n * %d; ++i) dx[i] %s dy[i] * mask[i];", elems, util.dx_op(node))
end

return util
