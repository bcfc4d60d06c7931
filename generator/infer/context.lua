-- What the inference op emitters share: float literals as the trainer writes
-- them, pointers into the arena and the weights, and an epilogue (the
-- activations applied as a value is stored) as C statements on a variable.
local ops = require("ops")

local context = {}

function context.new()
  local c = {}
  function c.lit(x)
    local s = string.format("%.9g", x)
    if not s:find("[.eEn]") then s = s .. ".0" end
    return s .. "f"
  end
  -- what the trainer's elementwise ops (ops/*.lua) take to write their float C
  c.g = { T = "float", lit = c.lit, zero = c.lit(0), one = c.lit(1), fn = function(name) return name .. "f" end }
  function c.arena(v) return string.format("A + %d", v.off) end
  function c.weight(off) return string.format("W + %d", off) end
  -- statements that apply nodes' activations to the float variable var
  function c.epilogue(nodes, var)
    local out = {}
    for i, node in ipairs(nodes) do
      local stmt = ops.get(node.op).scalar_forward(c.g, node)
      out[i] = (stmt:gsub("y%[i%]", var):gsub("x%[i%]", var))
    end
    return table.concat(out, " ")
  end
  return c
end

return context
