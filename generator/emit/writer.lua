-- A small C writer: lines, indentation, line wrapping (emit/wrap.lua) and
-- loops that run once folded (emit/once.lua), and nothing else, so that
-- every op module produces code that looks the same.
local once = require("emit.once")
local wrap = require("emit.wrap")

local writer = {}
writer.__index = writer

local INDENT = "    "

function writer.new()
  -- blocks: the open blocks, each { var = a folded loop's variable, first = its first line };
  -- shared: the loops the last OpenMP pragma still shares out, and that pragma's line;
  -- pending: loops folded from the middle of a collapse nest, whose variables are
  -- declared in the body of the nest's innermost loop
  return setmetatable({ lines = {}, depth = 0, blocks = {}, shared = 0, pending = {} }, writer)
end

-- Append one line; extra arguments format it with string.format.
function writer:line(fmt, ...)
  local text = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  local lead, loop = text:match("^(%s*)(.*)$")
  local var, statement = once.match(loop)
  if var and self.shared == 0 then
    text = lead .. (once.uses(statement, var) and string.format("{ const int %s = 0; %s }", var, statement) or statement)
  end
  self:append(text)
end

function writer:append(text)
  if text == "" then
    self.lines[#self.lines + 1] = ""
    return
  end
  local shared = once.shared_loops(text)
  if shared then
    self.shared, self.pragma = shared, #self.lines + 1
  elseif text:match("^for ") and self.shared > 0 then
    self.shared = self.shared - 1
  end
  for _, line in ipairs(wrap.lines(INDENT:rep(self.depth), text)) do self.lines[#self.lines + 1] = line end
end

-- Whether a loop that runs once may be folded here, and the pragma to change
-- if OpenMP shares it out (emit/once.lua).
function writer:may_fold()
  if self.shared == 0 then return true end
  if not once.may_leave(self.lines[self.pragma]:match("^%s*(.-)$")) then return false end
  return true, self.pragma
end

-- Folds a loop in the middle of a collapse nest: it leaves no line (the nest
-- must stay perfectly nested), and its variable waits for the innermost body.
function writer:fold_middle(var)
  local block = { var = var, silent = true }
  self.shared = self.shared - 1
  self.blocks[#self.blocks + 1] = block
  self.pending[#self.pending + 1] = block
end

-- A line that opens a block: `for (...) {`.
function writer:open(fmt, ...)
  local text = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  local var, rest = once.match(text)
  local fold, pragma = false, nil
  if var and rest:match("^{") then fold, pragma = self:may_fold() end
  if pragma then
    local indent = self.lines[pragma]:match("^%s*")
    local fewer = once.collapse_one_fewer(self.lines[pragma]:sub(#indent + 1))
    if fewer then self.lines[pragma] = indent .. fewer else table.remove(self.lines, pragma) end
    if self.shared > 1 then return self:fold_middle(var) end
  end
  if fold then self.shared = 0 end
  self:append(fold and rest or text)
  self.depth = self.depth + 1
  self.blocks[#self.blocks + 1] = { var = fold and var or nil, first = #self.lines + 1 }
  if self.shared == 0 then
    for _, block in ipairs(self.pending) do block.first, block.depth = #self.lines + 1, self.depth end
    self.pending = {}
  end
end

-- Loops opened in order (each head a `for (...) {` line), under `pragma` if
-- given, around body(), then closed.
function writer:nest(pragma, heads, body)
  if pragma then self:line(pragma) end
  for _, head in ipairs(heads) do self:open("%s", head) end
  body()
  for _ = 1, #heads do self:close() end
end

-- A function definition: signature, then the brace on its own line.
function writer:func(fmt, ...)
  self:line(fmt, ...)
  self:line("{")
  self.depth = self.depth + 1
  self.blocks[#self.blocks + 1] = {}
end

-- The line between two blocks: `} else {`.
function writer:middle(fmt, ...)
  self.depth = self.depth - 1
  self:line(fmt, ...)
  self.depth = self.depth + 1
end

-- Closes a block; a folded loop's block then declares its variable if it uses it.
function writer:close(suffix)
  local block = table.remove(self.blocks)
  if block.var then
    local used = false
    for i = block.first, #self.lines do used = used or once.uses(self.lines[i], block.var) end
    local depth = block.depth or self.depth
    if used then table.insert(self.lines, block.first, INDENT:rep(depth) .. "const int " .. block.var .. " = 0;") end
  end
  if block.silent then return end
  self.depth = self.depth - 1
  self:append("}" .. (suffix or ""))
end

function writer:text()
  return table.concat(self.lines, "\n") .. "\n"
end

return writer
