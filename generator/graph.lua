-- Graph building: lowers the nested spec (network, seq) into a flat list of
-- nodes with dotted path names, checks every key, and infers every shape.
local errors = require("errors")
local ops = require("ops")
local util = require("ops.util")

local graph = {}

local NETWORK_KEYS = { "name", "input", "batch", "loss", "classes" }

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "number" then keys[#keys + 1] = tostring(k) end
  end
  table.sort(keys)
  return keys
end

local function contains(list, value)
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

-- Number of integer keys; walk compares it with #t, since a hole (a nil item)
-- would otherwise silently drop the layers after it.
local function positional_count(t)
  local count = 0
  for k in pairs(t) do
    if type(k) == "number" then count = count + 1 end
  end
  return count
end

local function check_keys(node, allowed, positional)
  for _, key in ipairs(sorted_keys(node.args)) do
    if not contains(allowed, key) then
      local list = {}
      for _, k in ipairs(allowed) do list[#list + 1] = k end
      errors.layer_fail(node, "unknown key '%s' (known keys: %s)", key,
        #list > 0 and table.concat(list, ", ") or "none")
    end
  end
  local count = positional_count(node.args)
  if positional and count > #positional then
    errors.layer_fail(node, "takes %s, got %d positional values",
      #positional == 0 and "no positional values" or "at most " .. #positional .. " (" .. table.concat(positional, ", ") .. ")",
      count)
  end
end

local function identifier(path)
  return (path:gsub("[^%w]", "_"))
end

local function item_problem(item)
  if type(item) == "function" then return "is a function; write it with braces, e.g. relu{}" end
  if type(item) ~= "table" or not item.kind then return "is a " .. type(item) .. ", not a layer" end
end

function graph.build(net, file)
  local nodes = {}
  local ctx = { file = file, path = "network", op = "network", line = net.line, desc = "network" }
  local function walk(list, prefix, owner)
    local count = positional_count(list)
    if count ~= #list then
      errors.fail("%s:%d: %s has a hole in its layer list (a nil item?)", file, owner.line or 0, owner.desc)
    end
    for i, item in ipairs(list) do
      local problem = item_problem(item)
      if problem then errors.fail("%s:%d: item %d of %s %s", file, owner.line or 0, i, owner.desc, problem) end
      local name = item.args.name
      if name ~= nil and (type(name) ~= "string" or not name:match("^[%w_]+$")) then
        errors.fail("%s:%d: name %s must be letters, digits and '_'", file, item.line, tostring(name))
      end
      name = name or tostring(i - 1)
      local path = prefix and (prefix .. "." .. name) or name
      if item.kind == "seq" then
        local seq = { file = file, line = item.line, path = path, op = "seq", args = item.args, desc = "seq " .. path }
        check_keys(seq, { "name" }, nil) -- its positional items are layers, checked by walk
        walk(item.args, path, seq)
      elseif item.kind == "layer" then
        local module = ops.get(item.op)
        local node = { file = file, line = item.line, path = path, op = item.op, args = item.args, module = module }
        if module.kind == "loss" then
          errors.fail("%s:%d: %s is a loss; give it as network{..., loss = %s{}}", file, item.line, item.op, item.op)
        end
        local keys = { "name" }
        for _, k in ipairs(module.keys) do keys[#keys + 1] = k end
        check_keys(node, keys, module.positional)
        nodes[#nodes + 1] = node
      else
        errors.fail("%s:%d: a network cannot contain another network{}", file, item.line)
      end
    end
  end
  for _, key in ipairs(sorted_keys(net.args)) do
    if not contains(NETWORK_KEYS, key) then
      errors.fail("%s:%d: network: unknown key '%s' (known keys: %s)", file, net.line, key,
        table.concat(NETWORK_KEYS, ", "))
    end
  end
  walk(net.args, nil, ctx)
  if #nodes == 0 then errors.fail("%s:%d: network has no layers", file, net.line) end
  return nodes
end

-- Network-level settings: name, input shape, batch, loss.
function graph.settings(net, file, default_name)
  local a = net.args
  local function bad(fmt, ...) errors.fail("%s:%d: network: " .. fmt, file, net.line, ...) end
  local name = a.name or default_name
  if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
    bad("name must be a C identifier (letters, digits, '_'), got %s", tostring(name))
  end
  if type(a.input) ~= "table" or #a.input < 1 or #a.input > 3 then
    bad("input must be {channels, height, width}, {channels, length} or {features}")
  end
  local input = {}
  for i, d in ipairs(a.input) do
    if math.type(d) ~= "integer" or d < 1 then bad("input dimension %d must be a positive integer, got %s", i, tostring(d)) end
    input[i] = d
  end
  local batch = a.batch or 32
  if math.type(batch) ~= "integer" or batch < 1 then bad("batch must be a positive integer, got %s", tostring(batch)) end
  local loss = a.loss
  if loss == nil then bad("missing loss = ...; e.g. loss = softmax_cross_entropy{}") end
  if type(loss) ~= "table" or loss.kind ~= "layer" or ops.get(loss.op).kind ~= "loss" then
    local losses = {}
    for _, n in ipairs(ops.names()) do
      if ops.get(n).kind == "loss" then losses[#losses + 1] = n end
    end
    bad("loss must be one of %s", table.concat(losses, ", "))
  end
  if a.classes ~= nil and (math.type(a.classes) ~= "integer" or a.classes < 1) then
    bad("classes must be a positive integer, got %s", tostring(a.classes))
  end
  return { name = name, input = input, batch = batch, loss = loss, classes = a.classes }
end

-- Shape inference, in order; every node gets in_shape, out_shape, params, macs.
function graph.infer(nodes, settings, file, net)
  local shape = settings.input
  local seen_path, seen_ident = {}, {}
  for _, node in ipairs(nodes) do
    if seen_path[node.path] then
      errors.fail("%s:%d: two layers are named %s", file, node.line, node.path)
    end
    node.ident = identifier(node.path)
    if seen_ident[node.ident] then
      errors.fail("%s:%d: layers %s and %s both become the C name %s; rename one",
        file, node.line, seen_ident[node.ident], node.path, node.ident)
    end
    seen_path[node.path], seen_ident[node.ident] = true, node.path
    node.in_shape = shape
    node.params, node.macs, node.work, node.index = {}, 0, 0, 0
    shape = node.module.infer(node, shape)
    node.out_shape = shape
  end
  local l = settings.loss
  local loss = { file = file, line = l.line, path = "loss", op = l.op, args = l.args, module = ops.get(l.op) }
  local keys = {}
  for _, k in ipairs(loss.module.keys) do keys[#keys + 1] = k end
  check_keys(loss, keys, loss.module.positional)
  loss.in_shape = shape
  loss.module.infer(loss, shape, nodes[#nodes])
  if settings.classes and settings.classes ~= shape[1] then
    errors.fail("%s:%d: network: classes = %d but the last layer %s gives %d outputs",
      file, net.line, settings.classes, nodes[#nodes].path, shape[1])
  end
  return loss
end

-- Layout: every node's output gets a slot in one activation arena (input in
-- slot 0), params get offsets in the flat parameter array; all in elements,
-- sized for the full batch and rounded up to 16 elements (64-byte lines).
local function align(v) return (v + 15) // 16 * 16 end

function graph.plan(nodes, loss, settings)
  local B = settings.batch
  local acts, params, index, work = 0, 0, 0, 0
  local tensors = {}
  local input_size = util.numel(settings.input)
  acts = align(input_size * B)
  local prev_off = 0
  for _, node in ipairs(nodes) do
    node.in_off = prev_off
    node.out_off = acts
    acts = acts + align(util.numel(node.out_shape) * B)
    prev_off = node.out_off
    node.p = {}
    for _, p in ipairs(node.params) do
      p.name = node.path .. "." .. p.suffix
      p.offset = params
      p.size = util.numel(p.shape)
      node.p[p.suffix] = params
      params = params + align(p.size)
      tensors[#tensors + 1] = p
    end
    if node.index > 0 then
      node.index_off = index
      index = index + align(node.index * B)
    end
    work = math.max(work, node.work * B)
  end
  loss.in_off = prev_off
  return {
    acts = acts, params = params, index = index, work = work, tensors = tensors,
    input_size = input_size, output_size = util.numel(nodes[#nodes].out_shape), output_off = prev_off,
  }
end

return graph
