-- The inference export's lowering: the graph's nodes (before the trainer's
-- fusion pass) become evaluation-mode steps. A batchnorm right after the
-- convolution or linear layer it alone reads is folded into its weights (in
-- double, rounded once when written); one anywhere else becomes a per-channel
-- affine step. Activations whose producer has no other reader are applied as
-- it stores (its epilogue). Dropout, dropblock and flatten move no data: their
-- output is their input's value. Any other op is refused.
local errors = require("errors")
local util = require("ops.util")

local lower = {}

local KIND = {
  conv2d = "conv", linear = "linear", batchnorm = "affine", maxpool2d = "maxpool", avgpool2d = "avgpool",
  global_avgpool = "gap", add = "add", concat = "concat", softmax = "softmax",
  relu = "act", leaky_relu = "act", sigmoid = "act", tanh = "act", elu = "act",
  dropout = "alias", dropblock = "alias", flatten = "alias",
}
local EPILOGUE_HOSTS = { conv = true, linear = true, affine = true, add = true, act = true }

local function producers(node) return node.inputs or { node.input } end

local function reader_counts(nodes)
  local count = {}
  for _, node in ipairs(nodes) do
    for _, p in ipairs(producers(node)) do count[p] = (count[p] or 0) + 1 end
  end
  return count
end

-- The checkpoint's tensor node.path.suffix, checked against the spec's shape.
local function tensor(ctx, node, suffix)
  local name = node.path .. "." .. suffix
  local t = ctx.ckpt.tensors[name]
  local want
  for _, p in ipairs(node.params) do
    if p.suffix == suffix then want = p.shape end
  end
  if not t then errors.fail("%s: no tensor '%s' (spec %s)", ctx.ckpt_path, name, ctx.spec_path) end
  if util.shape_str(t.shape) ~= util.shape_str(want) then
    errors.fail("%s: tensor '%s' is %s, but spec %s needs %s", ctx.ckpt_path, name, util.shape_str(t.shape),
      ctx.spec_path, util.shape_str(want))
  end
  return t.values
end

-- Weights and bias of a convolution or linear layer (bias zeros when it has none).
local function dense_step(ctx, node, kind)
  local cout = kind == "conv" and node.conv.cout or node.fc.fout
  local has_bias = (kind == "conv" and node.conv.bias) or (kind == "linear" and node.fc.bias)
  local b = {}
  if has_bias then
    b = tensor(ctx, node, "bias")
  else
    for i = 1, cout do b[i] = 0.0 end
  end
  return { kind = kind, node = node, w = tensor(ctx, node, "weight"), b = b, cout = cout }
end

-- scale = gamma / sqrt(var + eps) and shift = beta - mean * scale, in double.
local function bn_affine(ctx, node)
  local gamma, beta = tensor(ctx, node, "weight"), tensor(ctx, node, "bias")
  local mean, var = tensor(ctx, node, "running_mean"), tensor(ctx, node, "running_var")
  local scale, shift = {}, {}
  for c = 1, node.bn.C do
    scale[c] = gamma[c] / math.sqrt(var[c] + node.bn.eps)
    shift[c] = beta[c] - mean[c] * scale[c]
  end
  return scale, shift
end

local function fold(step, scale, shift)
  local per = #step.w // step.cout
  for co = 1, step.cout do
    for k = 1, per do
      local i = (co - 1) * per + k
      step.w[i] = step.w[i] * scale[co]
    end
    step.b[co] = step.b[co] * scale[co] + shift[co]
  end
  step.desc = (step.desc or step.node.op) .. " + batchnorm (folded)"
end

-- Returns steps (each { kind, node, ins = {values}, out = value, epilogue = {nodes} })
-- and the input and output values.
function lower.run(nodes, input_node, ctx)
  local readers = reader_counts(nodes)
  local value_of, step_of, uses = {}, {}, {}
  local input = { size = util.numel(input_node.out_shape), shape = input_node.out_shape }
  value_of[input_node] = input
  uses[input] = readers[input_node] or 0
  local steps = {}
  for _, node in ipairs(nodes) do
    local kind = KIND[node.op]
    if not kind then
      errors.fail("%s:%d: layer %s: %s has no inference export (supported: %s)", node.file, node.line or 0,
        node.path, node.op, "conv2d, linear, batchnorm, activations, pools, add, concat, dropout, softmax")
    end
    local prods = producers(node)
    local first = prods[1]
    local host = step_of[first]
    local alone = host and uses[value_of[first]] == 1 and host.out == value_of[first]
    -- a node that yields its input's value hands that value its own readers
    local function share(v) uses[v] = uses[v] + (readers[node] or 1) - 1 end
    if kind == "alias" then
      share(value_of[first])
      value_of[node], step_of[node] = value_of[first], step_of[first]
    elseif kind == "affine" and alone and (host.kind == "conv" or host.kind == "linear") and #host.epilogue == 0 then
      fold(host, bn_affine(ctx, node))
      share(host.out)
      value_of[node], step_of[node] = host.out, host
    elseif kind == "act" and alone and EPILOGUE_HOSTS[host.kind] then
      host.epilogue[#host.epilogue + 1] = node
      share(host.out)
      value_of[node], step_of[node] = host.out, host
    else
      local step = (kind == "conv" or kind == "linear") and dense_step(ctx, node, kind) or { kind = kind, node = node }
      if kind == "affine" then step.scale, step.shift = bn_affine(ctx, node) end
      step.epilogue, step.ins = {}, {}
      for i, p in ipairs(prods) do step.ins[i] = value_of[p] end
      step.out = { size = util.numel(node.out_shape), shape = node.out_shape }
      uses[step.out] = readers[node] or 1
      steps[#steps + 1] = step
      value_of[node], step_of[node] = step.out, step
    end
  end
  return steps, input, value_of[nodes[#nodes]]
end

return lower
