-- Loops that run once, folded as the writer (emit/writer.lua) writes them:
-- `for (int c = 0; c < 1; ++c) {` (or `q < 16; q += 16`) becomes a plain
-- block that declares `const int c = 0;` where its body uses c. OpenMP
-- constrains which loops may go: a loop of a collapse(k) nest goes, the
-- pragma then collapsing one loop fewer; a loop that `#pragma omp parallel
-- for` shares out alone goes with its pragma (one iteration has no threads
-- to share it with); a loop that `#pragma omp for` shares out inside a
-- parallel region stays, as every thread would run it.
local once = {}

local BY_ONE = "^for %(int ([%a_][%w_]*) = 0; ([%a_][%w_]*) < 1; %+%+([%a_][%w_]*)%) (.+)$"
local BY_BOUND = "^for %(int ([%a_][%w_]*) = 0; ([%a_][%w_]*) < (%d+); ([%a_][%w_]*) %+= (%d+)%) (.+)$"

-- The loop variable and the rest of the line after the header, if `text` is
-- a loop that runs once.
function once.match(text)
  local var, cond, step, rest = text:match(BY_ONE)
  if var and cond == var and step == var then return var, rest end
  local bound, stride
  var, cond, bound, step, stride, rest = text:match(BY_BOUND)
  if var and cond == var and step == var and bound == stride and tonumber(bound) > 0 then return var, rest end
end

function once.uses(text, var)
  return text:find("%f[%w_]" .. var .. "%f[^%w_]") ~= nil
end

-- The loops a pragma line shares out (its collapse count), or nil.
function once.shared_loops(text)
  if not text:match("^#pragma omp .*%f[%w]for%f[^%w]") then return nil end
  return tonumber(text:match("collapse%((%d+)%)") or 1)
end

-- Whether a loop that runs once may leave the loops this pragma shares out.
function once.may_leave(text)
  return text:match("collapse%(") ~= nil or text:match("^#pragma omp parallel for") ~= nil
end

-- The pragma with one loop fewer collapsed, or nil where it shares one loop.
function once.collapse_one_fewer(text)
  local k = tonumber(text:match("collapse%((%d+)%)"))
  if k == nil then return nil end
  if k == 2 then return (text:gsub(" collapse%(2%)", "")) end
  return (text:gsub("collapse%(%d+%)", "collapse(" .. (k - 1) .. ")"))
end

return once
