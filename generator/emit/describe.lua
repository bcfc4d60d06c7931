-- The layers as JSON (sorted keys, one layer per line), read by the PyTorch
-- reference scripts in tests/ to build the same network in torch.
local describe = {}

local function encode(v)
  local t = type(v)
  if t == "number" then
    return math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "string" then
    return '"' .. v:gsub('[\\"]', "\\%0") .. '"'
  end
  if #v > 0 then
    local items = {}
    for i, x in ipairs(v) do items[i] = encode(x) end
    return "[" .. table.concat(items, ", ") .. "]"
  end
  local keys = {}
  for k, x in pairs(v) do
    local kind = type(x)
    if kind == "number" or kind == "string" or kind == "boolean" or kind == "table" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  local items = {}
  for i, k in ipairs(keys) do items[i] = encode(k) .. ": " .. encode(v[k]) end
  return "{" .. table.concat(items, ", ") .. "}"
end

-- Only the facts a reference needs: op, shapes, attributes, parameters.
local ATTRS = { "conv", "pool", "fc", "slope", "alpha", "smoothing", "bn", "p_drop", "db" }

local function layer(node)
  local t = { path = node.path, op = node.op, input = node.in_shape, output = node.out_shape, macs = node.macs or 0 }
  for _, key in ipairs(ATTRS) do
    if node[key] ~= nil then t[key] = node[key] end
  end
  local params = {}
  for i, p in ipairs(node.params or {}) do
    params[i] = { name = p.name or p.suffix, shape = p.shape, buffer = p.buffer == true }
  end
  t.params = params
  local inputs = {}
  for i, producer in ipairs(node.inputs or { node.input }) do inputs[i] = producer.path end
  t.inputs = inputs
  return t
end

function describe.json(nodes, loss, settings)
  local lines = { "{", string.format('"name": %s, "input": %s, "batch": %d, "loss": %s,', encode(settings.name),
    encode(settings.input), settings.batch, encode(layer(loss))), '"layers": [' }
  for i, node in ipairs(nodes) do
    lines[#lines + 1] = encode(layer(node)) .. (i < #nodes and "," or "")
  end
  lines[#lines + 1] = "]}"
  return table.concat(lines, "\n") .. "\n"
end

return describe
