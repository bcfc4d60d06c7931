-- concat: branches joined along channels (features for vectors). Images are
-- channel-major, so each branch is one contiguous block of the output.
local errors = require("errors")
local util = require("ops.util")

local op = { positional = {}, keys = {}, multi_input = true }

function op.infer(node, shapes)
  local first = shapes[1]
  local channels = 0
  node.parts = {}
  for i, shape in ipairs(shapes) do
    local rest_ok = #shape == #first
    for d = 2, #first do rest_ok = rest_ok and shape[d] == first[d] end
    if not rest_ok then
      errors.layer_fail(node, "branch %d gives %s but branch 0 gives %s; concatenated branches must agree on all but the channels",
        i - 1, util.shape_str(shape), util.shape_str(first))
    end
    node.parts[i] = { offset = channels, channels = shape[1] }
    channels = channels + shape[1]
  end
  node.inner = util.numel(first) // first[1] -- elements per channel and image
  node.vector = #first == 1
  node.desc = string.format("concat %d", #shapes)
  local out = { channels }
  for d = 2, #first do out[d] = first[d] end
  return out
end

local function each_part(node, w, g, forward)
  local total = 0
  for _, part in ipairs(node.parts) do total = total + part.channels end
  for i, part in ipairs(node.parts) do
    local x = forward and g.acts(node.in_offs[i]) or g.dacts(node.in_offs[i])
    local scope = forward and "{" or string.format("if (need_dx & %d) {", 1 << (i - 1))
    if node.vector then
      local stmt = forward and "y[(size_t)i * %d + %d + j] = x[(size_t)i * %d + j];"
        or "dx[(size_t)i * %d + j] " .. util.dx_op(node, i) .. " dy[(size_t)i * %d + %d + j];"
      w:open(scope)
      w:line(forward and "const %s *x = %s;" or "%s *dx = %s;", g.T, x)
      w:line("for (int i = 0; i < n; ++i)")
      if forward then
        w:line("    for (int j = 0; j < %d; ++j) " .. stmt, part.channels, total, part.offset, part.channels)
      else
        w:line("    for (int j = 0; j < %d; ++j) " .. stmt, part.channels, part.channels, total, part.offset)
      end
      w:close()
    else
      local block = string.format("(size_t)n * %d", part.channels * node.inner)
      local at = part.offset == 0 and "" or string.format(" + (size_t)n * %d", part.offset * node.inner)
      if forward then
        w:line("memcpy(y%s, %s, sizeof(%s) * %s);", at, x, g.T, block)
      else
        w:open(scope)
        w:line("%s *dx = %s;", g.T, x)
        w:line("const %s *d = dy%s;", g.T, at)
        w:line("#pragma omp parallel for")
        w:line("for (size_t i = 0; i < %s; ++i) dx[i] %s d[i];", block, util.dx_op(node, i))
        w:close()
      end
    end
  end
end

function op.forward(node, w, g)
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  each_part(node, w, g, true)
end

function op.backward(node, w, g)
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  each_part(node, w, g, false)
end

function op.strategy() return "copy" end

return op
