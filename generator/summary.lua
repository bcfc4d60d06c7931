-- The Keras-like model summary: one row per layer with its output shape,
-- parameter count and MACs per image (multiply-accumulates of conv and
-- linear layers, the convention of PyTorch's profilers), then the totals.
local util = require("ops.util")

local summary = {}

-- Parameters as PyTorch counts them: trainable tensors, not buffers.
local function count_params(node)
  local count = 0
  for _, p in ipairs(node.params) do
    if not p.buffer then count = count + util.numel(p.shape) end
  end
  return count
end

function summary.totals(nodes)
  local params, macs = 0, 0
  for _, node in ipairs(nodes) do
    params = params + count_params(node)
    macs = macs + node.macs
  end
  return params, macs
end

function summary.lines(nodes, loss, settings)
  local rows = { { "Layer", "Op", "Output shape", "Params", "MACs" } }
  rows[2] = { "input", "input", util.shape_str(settings.input), "0", "0" }
  for _, node in ipairs(nodes) do
    rows[#rows + 1] = { node.path, node.desc, util.shape_str(node.out_shape), util.commas(count_params(node)),
      util.commas(node.macs) }
  end
  local widths = {}
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do widths[i] = math.max(widths[i] or 0, #cell) end
  end
  -- padded by hand: string.format takes widths up to 99, and a layer path can be longer
  local function pad(cell, i, right)
    local fill = string.rep(" ", widths[i] - #cell)
    return right and fill .. cell or cell .. fill
  end
  local function format(row)
    return table.concat({ pad(row[1], 1), pad(row[2], 2), pad(row[3], 3), pad(row[4], 4, true), pad(row[5], 5, true) },
      "  ")
  end
  local total_width = #format(rows[1])
  local params, macs = summary.totals(nodes)
  local out = {
    string.format("Model %s: input %s, batch %d, loss %s", settings.name, util.shape_str(settings.input),
      settings.batch, loss.desc),
    format(rows[1]),
    string.rep("-", total_width),
  }
  for i = 2, #rows do out[#out + 1] = format(rows[i]) end
  out[#out + 1] = string.rep("-", total_width)
  out[#out + 1] = string.format("Total params: %s", util.commas(params))
  out[#out + 1] = string.format("Total MACs per image (forward): %s", util.commas(macs))
  return out
end

return summary
