-- Every key of every op, and of the containers, given each of a list of
-- hostile values (infinities, NaN, integers past int and past Lua's, holes,
-- tables that are not layers, functions): the generator either writes C or
-- refuses with a user error, never with a Lua error of its own.
local errors = require("errors")
local ops = require("ops")
local pipeline = require("pipeline")

local VALUES = { "0", "-1", "1.5", "2^31", "2^63", "1 << 62", "math.maxinteger", "math.mininteger", "math.huge",
  "-math.huge", "0/0", "'x'", "''", "{}", "{ 1 }", "{ 1, 2, 3 }", "{ 1, nil, 3 }", "{ math.huge, 1 }",
  "{ 2^63, 1 }", "true", "relu{}", "{ kind = 'layer', op = 'relu', args = {} }", "type", "{ x = 1 }", "3" }

local INPUTS = { conv1d = "3, 16", maxpool1d = "3, 16", linear = "8", rows_as_sequence = "1, 8, 8" }
local REQUIRED = { conv2d = "4, k = 3", conv1d = "4, k = 3", linear = "4", maxpool2d = "2", avgpool2d = "2",
  maxpool1d = "2" }

-- The spec text with `key = value` among the op's required arguments.
local function spec(op, key, value)
  local args = key == "[1]" and "[1] = " .. value or key .. " = " .. value
  if REQUIRED[op] and not (key == "[1]" or key == "k") then args = REQUIRED[op] .. ", " .. args end
  if (op == "conv2d" or op == "conv1d") and key == "[1]" then args = args .. ", k = 3" end
  if (op == "conv2d" or op == "conv1d") and key == "k" then args = "4, " .. args end
  if ops.get(op).kind == "loss" then
    return string.format("return network{ input = { 8 }, linear{ 2 }, loss = %s{ %s } }", op, args)
  end
  return string.format("return network{ input = { %s }, %s{ %s }, flatten{}, linear{ 2 }, loss = mse{} }",
    INPUTS[op] or "3, 16, 16", op, args)
end

local function container_specs(value)
  return {
    string.format("return network{ input = { 4 }, seq{ name = %s, relu{} }, loss = mse{} }", value),
    string.format("return network{ input = { 4 }, residual{ relu{}, shortcut = %s }, loss = mse{} }", value),
    string.format("return network{ input = { 4 }, residual{ relu{}, after = %s }, loss = mse{} }", value),
    string.format("return network{ input = { 4 }, concat{ relu{}, %s }, loss = mse{} }", value),
    string.format("return network{ input = %s, linear{ 2 }, loss = mse{} }", value),
    string.format("return network{ input = { 4 }, batch = %s, linear{ 2 }, loss = mse{} }", value),
    string.format("return network{ input = { 4 }, lr_mult = { fc = %s }, linear{ 2, name = 'fc' }, loss = mse{} }", value),
    string.format("return network{ input = { 4 }, freeze = { %s }, linear{ 2, name = 'fc' }, loss = mse{} }", value),
  }
end

local function internal_error(text)
  local ok, e = pcall(pipeline.generate, text)
  if not ok and not errors.is_user_error(e) then return text .. "\n  " .. tostring(e) end
end

describe("hostile arguments", function()
  it("give C or a user error for every key of every op", function()
    local failures = {}
    for _, op in ipairs(ops.names()) do
      local m = ops.get(op)
      local keys = { "name" }
      if m.positional and #m.positional > 0 then keys[#keys + 1] = "[1]" end
      for _, k in ipairs(m.keys) do keys[#keys + 1] = k end
      for _, key in ipairs(keys) do
        for _, value in ipairs(VALUES) do failures[#failures + 1] = internal_error(spec(op, key, value)) end
      end
    end
    assert.are.same({}, failures)
  end)
  it("give C or a user error for the containers' and the network's keys", function()
    local failures = {}
    for _, value in ipairs(VALUES) do
      for _, text in ipairs(container_specs(value)) do failures[#failures + 1] = internal_error(text) end
    end
    assert.are.same({}, failures)
  end)
end)
