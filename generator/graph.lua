-- The graph pass: lowers the nested spec (network, seq, residual, ...) into a
-- flat list of nodes in topological order with dotted path names, checks
-- every key, and infers every shape, parameter tensor and MAC count. How a
-- layer is computed is left to the plan pass (plan.lua).
local errors = require("errors")
local limits = require("limits")
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
  if type(item) ~= "table" or not item.kind then return "is a " .. type(item) .. ", not a layer" end
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
  node.ident = identifier(path)
  if self.idents[node.ident] then
    self:fail(line, "layers %s and %s both become the C name %s; rename one", self.idents[node.ident], path, node.ident)
  end
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
  local name = item.args.name
  if name ~= nil and (type(name) ~= "string" or not name:match("^[%w_]+$")) then
    self:fail(item.line, "name %s must be letters, digits and '_'", tostring(name))
  end
  name = name or tostring(i - 1)
  return prefix and (prefix .. "." .. name) or name
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

function Builder:lower(item, path, input)
  if item.kind == "network" then self:fail(item.line, "a network cannot contain another network{}") end
  if item.kind == "layer" then
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
  elseif type(shortcut) == "table" and shortcut.kind then
    short = self:lower(shortcut, path .. ".shortcut", input)
    if shape_str(short.out_shape) ~= shape_str(body.out_shape) then
      self:fail(item.line, "%s: the shortcut gives %s but the body gives %s", owner.desc,
        shape_str(short.out_shape), shape_str(body.out_shape))
    end
  else
    self:fail(item.line, "%s: shortcut must be \"identity\", \"project\" or a layer, got %s", owner.desc, tostring(shortcut))
  end
  local sum = self:node("add", path .. ".add", item.line, {}, { body, short })
  if a.after == nil then return sum end
  local problem = item_problem(a.after)
  if problem then self:fail(item.line, "%s: after %s", owner.desc, problem) end
  local after_path = a.after.args.name and (path .. "." .. a.after.args.name) or (path .. ".after")
  return self:lower(a.after, after_path, sum)
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
  local b = setmetatable({ file = file, batch = settings.batch, nodes = {}, paths = {}, idents = {} }, Builder)
  local input = { path = "input", out_shape = settings.input, is_input = true }
  local owner = { line = net.line, desc = "network" }
  local last = b:chain(net.args, nil, input, owner)
  if #b.nodes == 0 then errors.fail("%s:%d: network has no layers", file, net.line) end
  limits.total_macs(b.nodes)
  return b.nodes, last
end

-- freeze = { "layer1.*", ... } and lr_mult = { ["fc.*"] = 10, ... }: learning-rate
-- multipliers by tensor-name glob (* and ?), freeze being a multiplier of 0.
-- The runtime applies them in this order (freeze, then lr_mult sorted by pattern).
local function lr_rules(a, bad)
  local rules = {}
  local function pattern(p, key)
    if type(p) ~= "string" or p == "" or p:find('["\\]') then
      bad("%s patterns must be non-empty strings of name characters, * and ?, got %s", key, tostring(p))
    end
    return p
  end
  if a.freeze ~= nil then
    if type(a.freeze) ~= "table" then bad("freeze must be a list of tensor-name patterns like { \"layer1.*\" }") end
    for i = 1, #a.freeze do rules[#rules + 1] = { pattern = pattern(a.freeze[i], "freeze"), mult = 0 } end
  end
  if a.lr_mult ~= nil then
    if type(a.lr_mult) ~= "table" then bad("lr_mult must be a table like { [\"fc.*\"] = 10 }") end
    for _, p in ipairs(sorted_keys(a.lr_mult)) do
      local m = a.lr_mult[p]
      if type(m) ~= "number" or m < 0 then bad("lr_mult[%q] must be a number >= 0, got %s", tostring(p), tostring(m)) end
      rules[#rules + 1] = { pattern = pattern(p, "lr_mult"), mult = m }
    end
  end
  return rules
end

-- Network-level settings: name, input shape, batch, loss.
function graph.settings(net, file, default_name)
  local a = net.args
  local function bad(fmt, ...) errors.fail("%s:%d: network: " .. fmt, file, net.line, ...) end
  for _, key in ipairs(sorted_keys(a)) do
    if not contains(NETWORK_KEYS, key) then bad("unknown key '%s' (known keys: %s)", key, table.concat(NETWORK_KEYS, ", ")) end
  end
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
  limits.check_input(input, batch, bad)
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
  return { name = name, input = input, batch = batch, loss = loss, classes = a.classes,
           lr_rules = lr_rules(a, bad), fail = bad }
end

-- The same glob the runtime uses: * any run of characters, ? one.
local function glob_to_lua(p)
  return "^" .. p:gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".") .. "$"
end

-- Every rule must match some trainable tensor: a rule that matches nothing is a typo.
function graph.check_lr_rules(settings, nodes, file, line)
  local names = {}
  for _, node in ipairs(nodes) do
    for _, p in ipairs(node.params) do
      if not p.buffer then names[#names + 1] = node.path .. "." .. p.suffix end
    end
  end
  for _, r in ipairs(settings.lr_rules) do
    local lua_pattern, hit = glob_to_lua(r.pattern), false
    for _, name in ipairs(names) do
      if name:match(lua_pattern) then hit = true end
    end
    if not hit then
      errors.fail("%s:%d: network: %s pattern '%s' matches no trainable tensor (names look like '%s')", file, line,
        r.mult == 0 and "freeze" or "lr_mult", r.pattern, names[1] or "")
    end
  end
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
