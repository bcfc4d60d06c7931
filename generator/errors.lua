-- User-facing errors: one line, no traceback. Everything raised through `fail`
-- is a user mistake; any other Lua error is a generator bug.
local errors = {}

local UserError = {}
UserError.__tostring = function(e) return e.msg end

-- Text a spec supplies (a name, a key, its own error message) can be of any
-- length and hold newlines: a message shows it escaped and cut. (No string
-- methods here: while a spec runs, strings index the sandbox's library.)
local MAX_TEXT = 300

local function printable(s)
  local cut = #s > MAX_TEXT and string.format("... (%d characters in all)", #s) or ""
  local shown = string.gsub(string.sub(s, 1, MAX_TEXT), "%c", function(c)
    return string.format("\\%03d", string.byte(c))
  end)
  return shown .. cut
end

function errors.fail(fmt, ...)
  local args = table.pack(...)
  for i = 1, args.n do
    if type(args[i]) == "string" then args[i] = printable(args[i]) end
  end
  error(setmetatable({ msg = string.format(fmt, table.unpack(args, 1, args.n)) }, UserError), 0)
end

function errors.is_user_error(e)
  return getmetatable(e) == UserError
end

-- Location prefix for a layer: "specs/net.lua:7: layer 2.0 (conv2d 3x3, stride 1)"
function errors.layer_fail(node, fmt, ...)
  errors.fail("%s:%d: layer %s (%s): " .. fmt, node.file, node.line or 0,
              node.path, node.desc or node.op, ...)
end

-- The line the spec `file` (its chunk name "=file") is running: the innermost
-- frame of the spec on the stack, or 0.
function errors.spec_line(file)
  local chunk = "=" .. file
  for level = 2, math.huge do
    local info = debug.getinfo(level, "Sl")
    if not info then return 0 end
    if info.source == chunk then return info.currentline end
  end
end

return errors
