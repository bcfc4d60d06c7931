-- Spec loading: runs a spec file in a sandbox that holds only the DSL
-- constructors and pure libraries, and returns the network table it builds.
local errors = require("errors")
local ops = require("ops")

local dsl = {}

local MAX_INSTRUCTIONS = 50000000 -- a spec is a description, not a computation

local SAFE_LIBS = { "math", "string", "table" }
local SAFE_FUNCTIONS = { "ipairs", "pairs", "select", "tonumber", "tostring", "type", "error", "assert" }

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- Line of the spec that called a constructor (level 3: constructor's caller).
local function caller_line()
  local info = debug.getinfo(3, "Sl")
  return info and info.currentline or 0
end

local function constructor(kind, op)
  return function(args)
    local line = caller_line()
    if type(args) ~= "table" then
      errors.fail("%s:%d: %s expects a table: write %s{...}", dsl.current_file, line, op, op)
    end
    return { kind = kind, op = op, args = args, line = line }
  end
end

local CONTAINERS = { "seq", "residual", "concat", "add" }

function dsl.names()
  local names = { "network" }
  for _, name in ipairs(CONTAINERS) do names[#names + 1] = name end
  for _, name in ipairs(ops.names()) do names[#names + 1] = name end
  return names
end

local function build_env(file)
  local env = {}
  for _, lib in ipairs(SAFE_LIBS) do env[lib] = copy(_G[lib]) end
  for _, fn in ipairs(SAFE_FUNCTIONS) do env[fn] = _G[fn] end
  env.network = constructor("network", "network")
  for _, name in ipairs(CONTAINERS) do env[name] = constructor(name, name) end
  for _, name in ipairs(ops.names()) do env[name] = constructor("layer", name) end
  local known = table.concat(dsl.names(), ", ")
  return setmetatable(env, {
    __index = function(_, key)
      local info = debug.getinfo(2, "l")
      errors.fail("%s:%d: unknown name '%s' (a spec can use: %s; and %s, %s)",
        file, info and info.currentline or 0, tostring(key), known,
        table.concat(SAFE_LIBS, ", "), table.concat(SAFE_FUNCTIONS, ", "))
    end,
    __newindex = function(_, key)
      local info = debug.getinfo(2, "l")
      errors.fail("%s:%d: a spec cannot set the global '%s'; use 'local %s'",
        file, info and info.currentline or 0, tostring(key), tostring(key))
    end,
  })
end

-- Lua's own messages start with "file:line:"; keep only the first line.
local function one_line(msg)
  return (tostring(msg):gsub("\n.*", ""))
end

function dsl.load(file)
  dsl.current_file = file
  local handle = io.open(file, "r")
  if not handle then errors.fail("%s: cannot open the spec file", file) end
  local source = handle:read("a")
  handle:close()
  local chunk, err = load(source, "=" .. file, "t", build_env(file))
  if not chunk then errors.fail("%s", one_line(err)) end
  debug.sethook(function()
    errors.fail("%s: the spec runs too long (more than %d instructions)", file, MAX_INSTRUCTIONS)
  end, "", MAX_INSTRUCTIONS)
  local ok, result = pcall(chunk)
  debug.sethook()
  if not ok then
    if errors.is_user_error(result) then error(result, 0) end
    errors.fail("%s", one_line(result))
  end
  if type(result) ~= "table" or result.kind ~= "network" then
    errors.fail("%s: the spec must end with 'return network{...}'", file)
  end
  if result.line < 1 then
    -- `return network{...}` is a tail call, which leaves no caller line: find it in the text.
    local n = 0
    for text in (source .. "\n"):gmatch("([^\n]*)\n") do
      n = n + 1
      if text:find("network%s*{") and not text:find("^%s*%-%-") then
        result.line = n
        break
      end
    end
  end
  return result
end

return dsl
