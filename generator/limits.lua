-- The sizes the generated C can index, checked as the graph is built and laid
-- out, so that a spec past them fails with one line instead of generating C
-- whose int arithmetic overflows:
--   * per image, a layer's output, workspace, argmax indices and saved values,
--     and every parameter tensor, are indexed with int (loop counters, literal
--     offsets, int32_t argmax offsets, the tensor table's int shape): at most
--     INT_MAX values; so is the batch (forward's int n);
--   * every dimension given to BLAS is an int (OpenBLAS's LP64 interface);
--   * whole arrays (activations for the batch, parameters, workspace, argmax
--     indices) are indexed with size_t, and must fit the machine: at most 2^44
--     values, 128 TiB of doubles, all of x86-64's 47-bit user address space;
--   * MAC counts are long long.
-- Lua's integers wrap silently, so every product and sum is checked before it
-- is formed.
-- And the size of the C itself, which gcc must compile in minutes: at most
-- MAX_LINES lines (ResNet-50's 8,052 take gcc -O3 16 s, 98,000 lines of direct
-- convolutions 3 minutes and 600 MB), windows of at most MAX_WINDOW values
-- (they are unrolled), and MAX_LAYERS layers, which the graph reaches before
-- any C is written (a spec can also nest one seq twice in the next: 2^depth
-- layers).
local errors = require("errors")
local util = require("ops.util")

local limits = {}

limits.INT_MAX = 2147483647
limits.ARRAY_MAX = 1 << 44
limits.COUNT_MAX = math.maxinteger
limits.MAX_LAYERS = 10000
limits.MAX_WINDOW = 1024
limits.MAX_LINES = 100000
limits.WHY_SIZE = "larger C takes gcc too long to compile"

local WHY_INT = "the generated C indexes them with int"
local WHY_ARRAY = "2^44, 128 TiB of doubles: all the memory x86-64 can address"

-- a * b for integers a, b >= 0, or nil when it is past max.
function limits.mul(a, b, max)
  if a ~= 0 and b > max // a then return nil end
  return a * b
end

-- a + b for integers a, b >= 0, or nil when it is past max.
function limits.add(a, b, max)
  if a > max - b then return nil end
  return a + b
end

-- The number of values of a shape, or nil when it is past max (or a
-- dimension is not a positive integer).
function limits.numel(shape, max)
  local n = 1
  for _, d in ipairs(shape) do
    if math.type(d) ~= "integer" or d < 1 then return nil end
    n = limits.mul(n, d, max)
    if not n then return nil end
  end
  return n
end

-- The network's input and batch (fail reports with the network's location).
function limits.check_input(input, batch, fail)
  if batch > limits.INT_MAX then
    fail("batch must be at most %s (the generated C counts images with int), got %d", util.commas(limits.INT_MAX), batch)
  end
  if not limits.numel(input, limits.INT_MAX) then
    fail("input %s has more than %s values per image (%s)", util.shape_str(input), util.commas(limits.INT_MAX), WHY_INT)
  end
end

-- An integer count >= 0 that the op computed (workspace, indices, MACs), or
-- nil if it is negative or not an integer (a product that wrapped).
local function count(v)
  if math.type(v) ~= "integer" or v < 0 then return nil end
  return v
end

local function within_int(node, what, v, per)
  if not count(v) or v > limits.INT_MAX then
    errors.layer_fail(node, "%s needs %s values%s, more than %s (%s)", what,
      count(v) and util.commas(v) or "too many", per, util.commas(limits.INT_MAX), WHY_INT)
  end
end

-- A node after its op inferred its shapes: the dimensions it gives BLAS
-- (node.blas: { what, value, batched }, batched ones times the batch), its
-- parameter tensors, its output and its per-image buffers, and its MACs.
function limits.check_node(node, batch)
  for _, d in ipairs(node.blas or {}) do
    local what, v, batched = d[1], d[2], d[3]
    if batched and not limits.mul(v, batch, limits.INT_MAX) then
      errors.layer_fail(node, "%s, %s per image at batch %d, are more than BLAS's int arguments hold (%s)", what,
        util.commas(v), batch, util.commas(limits.INT_MAX))
    elseif v > limits.INT_MAX then
      errors.layer_fail(node, "%s %s is more than BLAS's int arguments hold (%s)", what, util.commas(v),
        util.commas(limits.INT_MAX))
    end
  end
  for _, p in ipairs(node.params) do
    if not limits.numel(p.shape, limits.INT_MAX) then
      errors.layer_fail(node, "%s %s has more than %s values (%s)", p.suffix, util.shape_str(p.shape),
        util.commas(limits.INT_MAX), WHY_INT)
    end
  end
  if not limits.numel(node.out_shape, limits.INT_MAX) then
    errors.layer_fail(node, "output %s has more than %s values per image (%s)", util.shape_str(node.out_shape),
      util.commas(limits.INT_MAX), WHY_INT)
  end
  local window = node.conv or node.pool
  if window and not limits.mul(window.kh, window.kw, limits.MAX_WINDOW) then
    errors.layer_fail(node, "the %dx%d window has more than %s values, the most nncc unrolls (%s)", window.kh,
      window.kw, util.commas(limits.MAX_WINDOW), limits.WHY_SIZE)
  end
  within_int(node, "the argmax index", node.index, " per image")
  within_int(node, "what backward keeps", node.saved_per_image, " per image")
  within_int(node, "what backward keeps", node.saved, "")
  if not count(node.macs) then
    errors.layer_fail(node, "the MAC count is past %s (a long long)", util.commas(limits.COUNT_MAX))
  end
end

-- A node after the plan gave it a strategy: the workspace that needs.
function limits.check_workspace(node)
  within_int(node, "the workspace", node.work, " per image")
  within_int(node, "the fixed workspace", node.work_fixed, "")
end

-- The C written up to and with `node`: `lines` lines.
function limits.check_lines(node, lines)
  if lines > limits.MAX_LINES then
    errors.layer_fail(node, "the generated C passes %s lines here, the most nncc writes (%s)",
      util.commas(limits.MAX_LINES), limits.WHY_SIZE)
  end
end

-- The MACs of all nodes, which the model stores as a long long.
function limits.total_macs(nodes)
  local total = 0
  for _, node in ipairs(nodes) do
    total = limits.add(total, node.macs, limits.COUNT_MAX)
    if not total then
      errors.layer_fail(node, "the MAC count up to this layer is more than %s (a long long)",
        util.commas(limits.COUNT_MAX))
    end
  end
  return total
end

-- An array laid out in the plan: grow(owner, values) adds values rounded up to
-- 16 and returns the new size; past ARRAY_MAX (or with values nil, a product
-- that already was) it fails, naming the owner (a node, or nil for the
-- network's input). batch is nil for the parameters, which it does not scale.
local Array = {}
Array.__index = Array

function limits.array(name, batch, network_fail)
  return setmetatable({ name = name, size = 0, batch = batch, network_fail = network_fail }, Array)
end

function Array:fail(owner)
  local whose = self.batch and string.format("the %s of a batch of %d", self.name, self.batch) or "the " .. self.name
  local fmt = "%s need more than %s values (%s)"
  if owner then errors.layer_fail(owner, fmt, whose, util.commas(limits.ARRAY_MAX), WHY_ARRAY) end
  self.network_fail(fmt, whose, util.commas(limits.ARRAY_MAX), WHY_ARRAY)
end

function Array:grow(owner, values)
  local size = values and limits.add(self.size, values, limits.ARRAY_MAX)
  if not size then self:fail(owner) end
  self.size = (size + 15) // 16 * 16
  return self.size
end

-- per * batch + fixed, or nil past ARRAY_MAX.
function Array:batched(per, fixed)
  local v = limits.mul(per, self.batch, limits.ARRAY_MAX)
  return v and limits.add(v, fixed or 0, limits.ARRAY_MAX)
end

return limits
