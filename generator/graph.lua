-- The graph pass: lowers the nested spec (network, seq, residual, ...) into a
-- flat list of nodes in topological order with dotted path names, checks
-- every key, and infers every shape, parameter tensor and MAC count. How a
-- layer is computed is left to the plan pass (plan.lua).
local c_names = require("c_names")
local dsl = require("dsl")
local errors = require("errors")
local limits = require("limits")
local lr_rules = require("lr_rules")
local ops = require("ops")
local util = require("ops.util")

local graph = {}

local NETWORK_KEYS = { "name", "input", "batch", "loss", "classes", "freeze", "lr_mult" }

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
  if type(item) == "table" and not dsl.value(item) then
    return "is a table that no constructor made, not a layer; write layers as relu{}, seq{...}, ..."
  end
  if type(item) ~= "table" then return "is a " .. type(item) .. ", not a layer" end
end

local CONTAINER_KEYS = {
  seq = { "name" },
  concat = { "name" },
  add = { "name" },
  residual = { "name", "shortcut", "after" },
}

-- Lowering: containers become nodes in topological order, each node naming
-- its producers in `inputs`; shapes are inferred as nodes are made, because
-- a residual's shortcut depends on them.
local Builder = {}
Builder.__index = Builder

function Builder:fail(line, fmt, ...)
  errors.fail("%s:%d: " .. fmt, self.file, line or 0, ...)
end

function Builder:node(op, path, line, args, inputs)
  local module = ops.get(op)
  local node = { file = self.file, line = line, path = path, op = op, args = args, module = module, inputs = inputs }
  if self.paths[path] then self:fail(line, "two layers are named %s", path) end
  if #self.nodes == limits.MAX_LAYERS then
    self:fail(line, "layer %s (%s): the network has more than %s layers, the most nncc generates C for (%s)", path, op,
      util.commas(limits.MAX_LAYERS), limits.WHY_SIZE)
  end
  node.ident = identifier(path)
  if self.idents[node.ident] then
    self:fail(line, "layers %s and %s both become the C name %s; rename one", self.idents[node.ident], path, node.ident)
  end
  local problem = c_names.layer_ident_problem(node.ident)
  if problem then self:fail(line, "layer %s (%s): its C name %s %s", path, op, node.ident, problem) end
  self.paths[path], self.idents[node.ident] = true, path
  node.params, node.macs, node.work, node.work_fixed, node.index, node.saved, node.saved_per_image = {}, 0, 0, 0, 0, 0, 0
  if module.multi_input then
    local shapes = {}
    for i, producer in ipairs(inputs) do shapes[i] = producer.out_shape end
    node.in_shape = shapes[1]
    node.out_shape = module.infer(node, shapes)
  else
    node.in_shape = inputs[1].out_shape
    node.out_shape = module.infer(node, node.in_shape)
  end
  limits.check_node(node, self.batch)
  self.nodes[#self.nodes + 1] = node
  return node
end

-- Path of the i-th item (1-based) of a container at `prefix`.
function Builder:item_path(item, i, prefix, owner)
  local problem = item_problem(item)
  if problem then self:fail(owner.line, "item %d of %s %s", i, owner.desc, problem) end
  local name = self:name_of(item) or tostring(i - 1)
  return prefix and (prefix .. "." .. name) or name
end

-- The `name` an item gives itself, checked, or nil.
function Builder:name_of(item)
  local name = item.args.name
  if name == nil then return nil end
  if type(name) ~= "string" then
    self:fail(item.line, "name must be a string of letters, digits and '_', got a %s", type(name))
  end
  local problem = c_names.layer_name_problem(name)
  if problem then self:fail(item.line, "name '%s' %s", name, problem) end
  return name
end

function Builder:check_list(list, owner)
  if positional_count(list) ~= #list then
    self:fail(owner.line, "%s has a hole in its layer list (a nil item?)", owner.desc)
  end
end

-- Lowers the positional items of `list` as a chain from `input`; returns the last node.
function Builder:chain(list, prefix, input, owner)
  self:check_list(list, owner)
  for i, item in ipairs(list) do
    input = self:lower(item, self:item_path(item, i, prefix, owner), input)
  end
  return input
end

local function shape_str(shape) return util.shape_str(shape) end

-- Lowers `item` (a value the DSL made) at `path`, on the node `input`; returns
-- its last node. `open` holds the containers being lowered, by record.
function Builder:lower(item, path, input)
  local rec = dsl.value(item)
  if rec.kind == "network" then self:fail(rec.line, "a network cannot contain another network{}") end
  if rec.kind == "layer" then return self:layer(rec, path, input) end
  if self.open[rec] then
    self:fail(rec.line, "%s %s contains itself (as %s)", rec.kind, self.open[rec], path)
  end
  if self.depth == dsl.MAX_DEPTH then
    self:fail(rec.line, "%s %s: containers nest more than %d deep here", rec.kind, path, dsl.MAX_DEPTH)
  end
  self.open[rec], self.depth = path, self.depth + 1
  local last = self:container(rec, path, input)
  self.open[rec], self.depth = nil, self.depth - 1
  return last
end

function Builder:layer(item, path, input)
  local module = ops.get(item.op)
  if module.kind == "loss" then
    self:fail(item.line, "%s is a loss; give it as network{..., loss = %s{}}", item.op, item.op)
  end
  local node = { file = self.file, line = item.line, path = path, op = item.op, args = item.args }
  local keys = { "name" }
  for _, k in ipairs(module.keys) do keys[#keys + 1] = k end
  check_keys(node, keys, module.positional)
  return self:node(item.op, path, item.line, item.args, { input })
end

-- seq, concat, add or residual.
function Builder:container(item, path, input)
  local owner = { file = self.file, line = item.line, path = path, op = item.kind, args = item.args,
                  desc = item.kind .. " " .. path }
  check_keys(owner, CONTAINER_KEYS[item.kind], nil) -- positional items are layers, checked below
  if item.kind == "seq" then return self:chain(item.args, path, input, owner) end
  if item.kind == "concat" or item.kind == "add" then
    self:check_list(item.args, owner)
    if #item.args < 2 then self:fail(item.line, "%s needs at least two branches", owner.desc) end
    local outputs = {}
    for i, branch in ipairs(item.args) do
      outputs[i] = self:lower(branch, self:item_path(branch, i, path, owner), input)
    end
    return self:node(item.kind, path, item.line, item.args, outputs)
  end
  return self:residual(item, path, input, owner)
end

-- residual{ body layers..., shortcut = "identity" | "project" | layer or seq, after = layer }
-- A given shortcut is at PATH.shortcut, or PATH.NAME when it has a name.
function Builder:residual(item, path, input, owner)
  local a = item.args
  if #a == 0 then self:fail(item.line, "%s has no layers in its body", owner.desc) end
  local body = self:chain(a, path, input, owner)
  local shortcut = a.shortcut or "identity"
  local same = shape_str(body.out_shape) == shape_str(input.out_shape)
  local short
  if shortcut == "identity" or (shortcut == "project" and same) then
    if not same then
      self:fail(item.line, "%s: the body gives %s but the input is %s; an identity shortcut needs equal shapes "
        .. "(use shortcut = \"project\" or give a shortcut)", owner.desc, shape_str(body.out_shape), shape_str(input.out_shape))
    end
    short = input
  elseif shortcut == "project" then
    short = self:projection(item, path, input, body, owner)
  elseif dsl.value(shortcut) then
    -- a named shortcut takes its name as its path (torchvision's `downsample`)
    local name = self:name_of(dsl.value(shortcut)) or "shortcut"
    short = self:lower(shortcut, path .. "." .. name, input)
    if shape_str(short.out_shape) ~= shape_str(body.out_shape) then
      self:fail(item.line, "%s: the shortcut gives %s but the body gives %s", owner.desc,
        shape_str(short.out_shape), shape_str(body.out_shape))
    end
  else
    self:fail(item.line, "%s: shortcut must be \"identity\", \"project\" or a layer, got %s", owner.desc,
      type(shortcut) == "table" and "a table that no constructor made" or tostring(shortcut))
  end
  local sum = self:node("add", path .. ".add", item.line, {}, { body, short })
  if a.after == nil then return sum end
  local problem = item_problem(a.after)
  if problem then self:fail(item.line, "%s: after %s", owner.desc, problem) end
  local name = self:name_of(dsl.value(a.after))
  return self:lower(a.after, path .. "." .. (name or "after"), sum)
end

-- The usual ResNet projection: a 1x1 convolution with the stride that maps
-- the input grid onto the body's, then batch norm (PyTorch names shortcut.0/.1).
function Builder:projection(item, path, input, body, owner)
  local i, o = input.out_shape, body.out_shape
  if #i ~= 3 or #o ~= 3 then
    self:fail(item.line, "%s: a projection shortcut needs images, got %s and %s", owner.desc, shape_str(i), shape_str(o))
  end
  local function stride(from, to)
    for s = 1, from do
      if (from - 1) // s + 1 == to then return s end
    end
  end
  local sh, sw = stride(i[2], o[2]), stride(i[3], o[3])
  if not sh or not sw then
    self:fail(item.line, "%s: no 1x1 convolution stride maps the input %s onto the body's %s", owner.desc,
      shape_str(i), shape_str(o))
  end
  local conv = self:node("conv2d", path .. ".shortcut.0", item.line,
    { o[1], k = 1, stride = { sh, sw }, bias = false }, { input })
  return self:node("batchnorm", path .. ".shortcut.1", item.line, {}, { conv })
end

function graph.build(net, file, settings)
  local b = setmetatable({ file = file, batch = settings.batch, nodes = {}, paths = {}, idents = {}, open = {}, depth = 0 },
    Builder)
  local input = { path = "input", out_shape = settings.input, is_input = true }
  local owner = { line = net.line, desc = "network" }
  local last = b:chain(net.args, nil, input, owner)
  if #b.nodes == 0 then errors.fail("%s:%d: network has no layers", file, net.line) end
  limits.total_macs(b.nodes)
  return b.nodes, last
end

-- A table the spec wrote itself, not a value the DSL made.
local function plain_table(v)
  return type(v) == "table" and not dsl.value(v)
end

-- input = {C, H, W}, {C, L} or {F}: a list of 1 to 3 positive integers.
local function input_shape(input, bad)
  if not plain_table(input) or #input < 1 or #input > 3 then
    bad("input must be {channels, height, width}, {channels, length} or {features}")
  end
  local count = 0
  for k in pairs(input) do
    if math.type(k) ~= "integer" or k < 1 then
      bad("input must be a list of sizes, got the key %s", tostring(k))
    end
    count = count + 1
  end
  if count ~= #input then bad("input has a hole: a nil among its sizes") end
  local shape = {}
  for i, d in ipairs(input) do
    if math.type(d) ~= "integer" or d < 1 then bad("input dimension %d must be a positive integer, got %s", i, tostring(d)) end
    shape[i] = d
  end
  return shape
end

local function loss_of(loss, bad)
  if loss == nil then bad("missing loss = ...; e.g. loss = softmax_cross_entropy{}") end
  local rec = dsl.value(loss)
  if not rec or rec.kind ~= "layer" or ops.get(rec.op).kind ~= "loss" then
    local losses = {}
    for _, n in ipairs(ops.names()) do
      if ops.get(n).kind == "loss" then losses[#losses + 1] = n end
    end
    bad("loss must be one of %s", table.concat(losses, ", "))
  end
  return rec
end

local function rules_of(a, bad)
  if a.freeze ~= nil and not plain_table(a.freeze) then
    bad("freeze must be a list of tensor-name patterns like { \"layer1.*\" }")
  end
  if a.lr_mult ~= nil and not plain_table(a.lr_mult) then bad("lr_mult must be a table like { [\"fc.*\"] = 10 }") end
  return lr_rules.parse(a.freeze, a.lr_mult, bad)
end

-- Network-level settings: name, input shape, batch, loss.
function graph.settings(net, file, default_name)
  local a = net.args
  local function bad(fmt, ...) errors.fail("%s:%d: network: " .. fmt, file, net.line, ...) end
  for _, key in ipairs(sorted_keys(a)) do
    if not contains(NETWORK_KEYS, key) then bad("unknown key '%s' (known keys: %s)", key, table.concat(NETWORK_KEYS, ", ")) end
  end
  local name = a.name or default_name
  if type(name) ~= "string" then bad("name must be a string, a C identifier, got a %s", type(name)) end
  local problem = c_names.network_problem(name)
  if problem then bad("name '%s' %s", name, problem) end
  local input = input_shape(a.input, bad)
  local batch = a.batch or 32
  if math.type(batch) ~= "integer" or batch < 1 then bad("batch must be a positive integer, got %s", tostring(batch)) end
  limits.check_input(input, batch, bad)
  local loss = loss_of(a.loss, bad)
  if a.classes ~= nil and (math.type(a.classes) ~= "integer" or a.classes < 1) then
    bad("classes must be a positive integer, got %s", tostring(a.classes))
  end
  return { name = name, input = input, batch = batch, loss = loss, classes = a.classes,
           lr_rules = rules_of(a, bad), fail = bad }
end

-- The loss, on the last node's output.
function graph.loss(last, nodes, settings, file, net)
  local l = settings.loss
  local loss = { file = file, line = l.line, path = "loss", op = l.op, args = l.args, module = ops.get(l.op) }
  check_keys(loss, loss.module.keys, loss.module.positional)
  loss.in_shape = last.out_shape
  loss.input = last
  loss.module.infer(loss, last.out_shape, last)
  if settings.classes and settings.classes ~= last.out_shape[1] then
    errors.fail("%s:%d: network: classes = %d but the last layer %s gives %d outputs",
      file, net.line, settings.classes, last.path, last.out_shape[1])
  end
  return loss
end

return graph
