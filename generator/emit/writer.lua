-- A small C writer: lines, indentation and line wrapping (emit/wrap.lua), and
-- nothing else, so that every op module produces code that looks the same.
local wrap = require("emit.wrap")

local writer = {}
writer.__index = writer

local INDENT = "    "

function writer.new()
  return setmetatable({ lines = {}, depth = 0 }, writer)
end

-- Append one line; extra arguments format it with string.format.
function writer:line(fmt, ...)
  local text = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  if text == "" then
    self.lines[#self.lines + 1] = ""
    return
  end
  for _, line in ipairs(wrap.lines(INDENT:rep(self.depth), text)) do self.lines[#self.lines + 1] = line end
end

-- A line that opens a block: `for (...) {`.
function writer:open(fmt, ...)
  self:line(fmt, ...)
  self.depth = self.depth + 1
end

-- A function definition: signature, then the brace on its own line.
function writer:func(fmt, ...)
  self:line(fmt, ...)
  self:line("{")
  self.depth = self.depth + 1
end

-- The line between two blocks: `} else {`.
function writer:middle(fmt, ...)
  self.depth = self.depth - 1
  self:line(fmt, ...)
  self.depth = self.depth + 1
end

function writer:close(suffix)
  self.depth = self.depth - 1
  self:line("}" .. (suffix or ""))
end

function writer:text()
  return table.concat(self.lines, "\n") .. "\n"
end

return writer
