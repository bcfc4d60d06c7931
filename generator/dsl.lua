-- Spec loading: runs a spec file in the sandbox (sandbox.lua), where the DSL
-- constructors make the values a spec is built of, and returns the record of
-- the network it builds: { kind = "network", args, line }.
local budget = require("budget")
local errors = require("errors")
local ops = require("ops")
local sandbox = require("sandbox")

local dsl = {}

dsl.MAX_DEPTH = 100 -- containers nested in containers

-- A value a constructor made is an empty proxy whose metatable holds its
-- record, { kind, op, args, line }, under the key RECORD: with no rawset,
-- setmetatable or getmetatable, a spec can neither change one nor forge one.
-- (Not a weak table of records: a chain of 200,000 nested seqs makes its
-- ephemerons take the garbage collector minutes.)
local RECORD = {}

-- The record of a value a constructor made, or nil for anything else.
function dsl.value(v)
  local meta = type(v) == "table" and getmetatable(v)
  return meta and rawget(meta, RECORD)
end

local function changed(v, key)
  errors.fail("%s:%d: %s{...} cannot be changed once made (setting '%s')", dsl.current_file,
    errors.spec_line(dsl.current_file), dsl.value(v).op, tostring(key))
end

-- Line of the spec that called a constructor (level 3: constructor's caller).
local function caller_line()
  local info = debug.getinfo(3, "Sl")
  return info and info.currentline or 0
end

-- How deep the containers in a container's arguments nest, itself included:
-- checked as the spec builds them, so that 200,000 nested seqs stop at the
-- 101st (graph.lua checks again what a spec changed in an argument table later).
local function depth(args, line)
  local deepest = 0
  local function see(v)
    local record = dsl.value(v)
    if record and record.depth > deepest then deepest = record.depth end
  end
  for _, item in ipairs(args) do see(item) end
  see(args.shortcut)
  see(args.after)
  if deepest == dsl.MAX_DEPTH then
    errors.fail("%s:%d: containers nest more than %d deep here", dsl.current_file, line, dsl.MAX_DEPTH)
  end
  return deepest + 1
end

local function constructor(kind, op)
  return function(args)
    local line = caller_line()
    if type(args) ~= "table" then
      errors.fail("%s:%d: %s expects a table: write %s{...}", dsl.current_file, line, op, op)
    end
    if dsl.value(args) then
      errors.fail("%s:%d: %s expects a table of arguments, got %s{...}: write %s{...}", dsl.current_file, line, op,
        dsl.value(args).op, op)
    end
    local record = { kind = kind, op = op, args = args, line = line }
    record.depth = (kind == "layer" or kind == "network") and 0 or depth(args, line)
    return setmetatable({}, { [RECORD] = record, __index = record, __newindex = changed })
  end
end

local CONTAINERS = { "seq", "residual", "concat", "add" }

function dsl.names()
  local names = { "network" }
  for _, name in ipairs(CONTAINERS) do names[#names + 1] = name end
  for _, name in ipairs(ops.names()) do names[#names + 1] = name end
  return names
end

local function constructors()
  local list = { network = constructor("network", "network") }
  for _, name in ipairs(CONTAINERS) do list[name] = constructor(name, name) end
  for _, name in ipairs(ops.names()) do list[name] = constructor("layer", name) end
  return list
end

-- Lua's own messages start with "file:line:"; keep only the first line.
local function one_line(msg)
  local text = tostring(msg)
  local newline = text:find("\n", 1, true)
  return newline and text:sub(1, newline - 1) or text
end

-- Lua's message `msg` as one line: as it is when it starts with the spec's
-- "file:line:", else at `where`, without the position of generator code the
-- spec was in (a budget check that overflowed the stack, say).
local function lua_failed(file, where, msg)
  msg = one_line(msg)
  if msg:sub(1, #file + 1) == file .. ":" then errors.fail("%s", msg) end
  local after = msg:match("^[^:]*:%d+: ()")
  errors.fail("%s: %s", where, after and msg:sub(after) or msg)
end

-- Fails with one line for what the spec raised or ran into (sandbox.run).
local function spec_failed(file, e)
  if errors.is_user_error(e) then error(e, 0) end
  if not sandbox.raised(e) then budget.out_of_memory(file) end -- no handler ran: Lua's memory error
  local where = e.line > 0 and file .. ":" .. e.line or file
  local v = e.value
  if v == nil then errors.fail("%s: error(nil): the spec raised an error without a message", where) end
  if type(v) ~= "string" and type(v) ~= "number" then
    errors.fail("%s: the spec raised an error with a %s value, not a message", where, type(v))
  end
  lua_failed(file, where, v)
end

-- `return network{...}` is a tail call, which leaves no caller line: find it in the text.
local function network_line(source)
  local n = 0
  for text in (source .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if text:find("network%s*{") and not text:find("^%s*%-%-") then return n end
  end
  return 0
end

function dsl.load(file)
  dsl.current_file = file
  local handle = io.open(file, "r")
  if not handle then errors.fail("%s: cannot open the spec file", file) end
  local source = handle:read("a")
  handle:close()
  if not source then errors.fail("%s: cannot read the spec file (a directory?)", file) end
  local env = sandbox.env(file, constructors(), dsl.names())
  local chunk, load_err = load(source, "=" .. file, "t", env)
  if not chunk then lua_failed(file, file, load_err) end
  local ok, result = sandbox.run(file, chunk, env)
  if not ok then spec_failed(file, result) end
  local net = dsl.value(result)
  if not net or net.kind ~= "network" then errors.fail("%s: the spec must end with 'return network{...}'", file) end
  if net.line < 1 then net.line = network_line(source) end
  return net
end

return dsl
