-- Loops that run once, folded as the writer (emit/writer.lua) writes them:
-- `for (int c = 0; c < 1; ++c) {` becomes a plain block that declares
-- `const int c = 0;` where its body uses c. OpenMP constrains which loops
-- may go: a loop that `#pragma omp ... for` shares out stays, and of a
-- collapse(k) nest only the innermost may, the pragma then collapsing one
-- loop fewer.
local once = {}

local PATTERN = "^for %(int ([%a_][%w_]*) = 0; ([%a_][%w_]*) < 1; %+%+([%a_][%w_]*)%) (.+)$"

-- The loop variable and the rest of the line after the header, if `text` is
-- a loop that runs once.
function once.match(text)
  local var, cond, step, rest = text:match(PATTERN)
  if var and cond == var and step == var then return var, rest end
end

function once.uses(text, var)
  return text:find("%f[%w_]" .. var .. "%f[^%w_]") ~= nil
end

-- The loops a pragma line shares out (its collapse count), or nil.
function once.shared_loops(text)
  if not text:match("^#pragma omp .*%f[%w]for%f[^%w]") then return nil end
  return tonumber(text:match("collapse%((%d+)%)") or 1)
end

-- The pragma with one loop fewer collapsed.
function once.collapse_one_fewer(text)
  local k = tonumber(text:match("collapse%((%d+)%)"))
  if k == 2 then return (text:gsub(" collapse%(2%)", "")) end
  return (text:gsub("collapse%(%d+%)", "collapse(" .. (k - 1) .. ")"))
end

return once
