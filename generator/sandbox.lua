-- The environment a spec runs in: the DSL constructors (dsl.lua), a few pure
-- functions and libraries, nothing that reaches outside the spec, and no pcall
-- (a spec must not catch the budget's errors). Library functions run in C,
-- out of the count hook's sight (budget.lua): each one checks the budget first,
-- with the bytes it will allocate. Left out: the pattern functions (find,
-- match, gmatch, gsub), whose backtracking can run for hours inside one call;
-- string.pack, unpack and packsize (one call can allocate gigabytes),
-- string.dump, and table.move (a C loop over any range).
local budget = require("budget")
local errors = require("errors")

local sandbox = {}

local FUNCTIONS = { "ipairs", "pairs", "select", "tonumber", "tostring", "type", "error", "assert" }
local LIBRARIES = {
  string = { "byte", "char", "format", "len", "lower", "rep", "reverse", "sub", "upper" },
  table = { "concat", "insert", "remove", "sort", "unpack" },
}
sandbox.NAMES = { "math", "string", "table" }
for _, name in ipairs(FUNCTIONS) do sandbox.NAMES[#sandbox.NAMES + 1] = name end

-- The length of v as a string argument (numbers become at most 24
-- characters), 0 for what the C function will refuse.
local function len(v)
  if type(v) == "string" then return #v end
  return type(v) == "number" and 24 or 0
end

-- What a call costs, from its arguments, in bytes: what it allocates, or the
-- turns of a C loop that allocates little (floats: no overflow).
local SIZES = {
  rep = function(s, n, sep)
    if type(n) ~= "number" or not (n >= 1) then return 0 end
    return (len(s) + len(sep) + 1) * (n + 0.0) -- + 1: C loops n times, even to repeat ""
  end,
  concat = function(t, sep, i, j)
    if type(t) ~= "table" then return 0 end
    i, j = math.tointeger(i or 1), math.tointeger(j or #t)
    local bytes = 0
    for k = i or 1, j or 0 do
      if type(t[k]) ~= "string" and type(t[k]) ~= "number" then break end
      bytes = bytes + len(t[k]) + len(sep)
    end
    return bytes
  end,
  format = function(fmt, ...)
    local args, bytes = table.pack(...), len(fmt)
    for k = 1, args.n do bytes = bytes + 512 + 4 * len(args[k]) end -- %99.99f: 410 characters; %q: 4 a byte
    return bytes
  end,
  -- the slots they shift, #t, as bytes: a sparse table's length can be a
  -- border near 2^62, far past any table memory holds
  insert = function(t) return type(t) == "table" and 16.0 * #t or 0 end,
  remove = function(t) return type(t) == "table" and 16.0 * #t or 0 end,
  lower = len,
  upper = len,
  reverse = len,
  sub = len,
}

local function guarded(fn, size)
  return function(...)
    budget.check(size and size(...) or 0)
    return fn(...)
  end
end

-- The sandbox's copy of library `name`; a function it leaves out fails with one line.
local function library(file, name)
  local lib = {}
  for _, f in ipairs(LIBRARIES[name]) do lib[f] = guarded(_G[name][f], SIZES[f]) end
  return setmetatable(lib, {
    __index = function(_, key)
      errors.fail("%s:%d: %s.%s is not available in a spec (it has %s.%s)", file, errors.spec_line(file), name,
        tostring(key), name, table.concat(LIBRARIES[name], ", " .. name .. "."))
    end,
  })
end

-- The environment of spec `file`: `constructors` by name, the functions and libraries above.
function sandbox.env(file, constructors, constructor_names)
  local env = { string = library(file, "string"), table = library(file, "table"), math = {} }
  for k, v in pairs(math) do env.math[k] = v end
  for _, fn in ipairs(FUNCTIONS) do env[fn] = _G[fn] end
  for name, fn in pairs(constructors) do env[name] = fn end
  local known = table.concat(constructor_names, ", ")
  return setmetatable(env, {
    __index = function(_, key)
      errors.fail("%s:%d: unknown name '%s' (a spec can use: %s; and %s)", file, errors.spec_line(file),
        tostring(key), known, table.concat(sandbox.NAMES, ", "))
    end,
    __newindex = function(_, key)
      errors.fail("%s:%d: a spec cannot set the global '%s'; use 'local %s'", file, errors.spec_line(file),
        tostring(key), tostring(key))
    end,
  })
end

-- What the spec raised, and the line it was running: { value, line }.
local Raised = {}

function sandbox.raised(e)
  return getmetatable(e) == Raised
end

-- Runs the loaded spec `chunk` of `file` (its environment `env`) within the
-- budget, with strings' methods ("x"):rep(n) taken from env.string; returns
-- ok and the result, a user error, a Raised, or (out of memory) Lua's message.
function sandbox.run(file, chunk, env)
  local strings = getmetatable("")
  local methods = strings.__index
  strings.__index = env.string
  budget.start(file)
  local ok, result = xpcall(chunk, function(e)
    debug.sethook() -- the spec is over: no limit may fail in here
    if errors.is_user_error(e) then return e end
    return setmetatable({ value = e, line = errors.spec_line(file) }, Raised)
  end)
  budget.stop()
  strings.__index = methods
  return ok, result
end

return sandbox
