-- User-facing errors: one line, no traceback. Everything raised through `fail`
-- is a user mistake; any other Lua error is a generator bug.
local errors = {}

local UserError = {}
UserError.__tostring = function(e) return e.msg end

function errors.fail(fmt, ...)
  error(setmetatable({ msg = string.format(fmt, ...) }, UserError), 0)
end

function errors.is_user_error(e)
  return getmetatable(e) == UserError
end

-- Location prefix for a layer: "specs/net.lua:7: layer 2.0 (conv2d 3x3, stride 1)"
function errors.layer_fail(node, fmt, ...)
  errors.fail("%s:%d: layer %s (%s): " .. fmt, node.file, node.line or 0,
              node.path, node.desc or node.op, ...)
end

return errors
