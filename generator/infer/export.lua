-- The inference export (generator/main.lua --infer CKPT): the graph's nodes
-- and a checkpoint in, NAME_infer.c and NAME_infer.h (and, with
-- --weights-file, NAME.weights) out. Lowering (infer/lower.lua), the
-- scratch memory (infer/memory.lua), the weights (infer/weights.lua), the C
-- (infer/emit.lua and infer/ops/).
local context = require("infer.context")
local conv = require("infer.ops.conv")
local emit = require("infer.emit")
local errors = require("errors")
local linear = require("infer.ops.linear")
local lower = require("infer.lower")
local memory = require("infer.memory")
local safetensors = require("infer.safetensors")
local weights = require("infer.weights")

local export = {}

-- Every step's weights into the set, in step order.
local function collect(steps)
  local set = weights.new()
  for _, step in ipairs(steps) do
    local path = step.node.path
    if step.kind == "conv" then
      step.w_off = weights.add(set, path .. ".weight" .. (step.desc and " (folded)" or ""), step.w)
      step.b_off = weights.add(set, path .. ".bias" .. (step.desc and " (folded)" or ""), step.b)
    elseif step.kind == "linear" then
      local label = path .. ".weight, transposed" .. (step.desc and ", folded" or "")
      step.w_off = weights.add(set, label, linear.weights(step))
      step.b_off = weights.add(set, path .. ".bias" .. (step.desc and " (folded)" or ""), step.b)
    elseif step.kind == "affine" then
      step.w_off = weights.add(set, path .. " scale", step.scale)
      step.b_off = weights.add(set, path .. " shift", step.shift)
    end
  end
  return set
end

-- The checkpoint's mean and std: one per input channel, or one for all.
local function normalization(ckpt, path, shape)
  local channels = #shape >= 2 and shape[1] or 1
  local count = 0
  for _ in (ckpt.meta.mean or ""):gmatch("[^,]+") do count = count + 1 end
  if count == 1 then channels = 1 end
  return safetensors.numbers(ckpt, path, "mean", channels), safetensors.numbers(ckpt, path, "std", channels),
    channels
end

-- opts: nodes, spec_path, name, ckpt_path, weights_file; returns the files { {name, text}, ... }.
function export.run(opts)
  local ckpt = safetensors.read(opts.ckpt_path)
  local input_node = (opts.nodes[1].inputs or { opts.nodes[1].input })[1]
  local ctx = { ckpt = ckpt, ckpt_path = opts.ckpt_path, spec_path = opts.spec_path }
  local steps, input, output = lower.run(opts.nodes, input_node, ctx)
  if #steps == 0 then errors.fail("%s: no layer computes anything to export", opts.spec_path) end
  for _, step in ipairs(steps) do
    if step.kind == "conv" then conv.prepare(step) end
  end
  local set = collect(steps)
  local mean, std, channels = normalization(ckpt, opts.ckpt_path, input.shape)
  local m = {
    name = opts.name, spec_path = opts.spec_path, ckpt_name = opts.ckpt_path:match("[^/]*$"), steps = steps,
    input = input, output = output, arena = memory.run(steps, input, output), wcount = set.count,
    weights_file = opts.weights_file, mean = mean, std = std, plane = input.size // channels,
    mean_text = "mean " .. ckpt.meta.mean, std_text = "std " .. ckpt.meta.std,
  }
  if not opts.weights_file then m.initializer = weights.initializer(set) end
  local files = {
    { opts.name .. "_infer.h", emit.header(m) },
    { opts.name .. "_infer.c", emit.source(m, context.new()) },
  }
  if opts.weights_file then files[3] = { opts.name .. ".weights", weights.blob(set) } end
  return files
end

return export
