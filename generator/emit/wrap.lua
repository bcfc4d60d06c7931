-- Line wrapping for the generated C: a line longer than LIMIT characters is
-- broken where C allows it and a reader expects it, so that unrolled code
-- (a register tile's multiply-adds, a GEMM call's arguments) stays readable.
-- Preferred breaks are between statements (after "; " outside parentheses,
-- or after the "{ " of a block on one line), whose next line keeps the
-- statement's indentation (one level more inside such a block); then before
-- a trailing comment, after an argument's ", " and before a binary operator,
-- whose next line is indented two levels more. A long comment goes on under its start, " * ".
-- Literals are never split; preprocessor lines are left as they are.
local wrap = {}

wrap.LIMIT = 120

local INDENT = "    "

-- Operators a line may break before, outside parentheses or inside one pair.
local BINARY = { ["+"] = true, ["-"] = true, ["|"] = true, ["||"] = true, ["&&"] = true }

-- The end of the literal or comment that starts at i, or nil if none does.
local function skip(text, i)
  local c = text:sub(i, i)
  if c == '"' or c == "'" then
    local j = i + 1
    while j <= #text and text:sub(j, j) ~= c do
      j = j + (text:sub(j, j) == "\\" and 2 or 1)
    end
    return j
  end
  if text:sub(i, i + 1) == "/*" then
    local j = text:find("*/", i + 2, true)
    return j and j + 1 or #text
  end
end

-- The spaces inside the comment text[from..to]: its next line goes on under
-- the comment's start, " * ...", a break after a "|" or ";" preferred.
local function comment_spaces(text, from, to, points)
  local lead = (" "):rep(from - 1) .. " * "
  for j = from + 3, to - 3 do
    if text:sub(j, j) == " " then
      local before = text:sub(j - 1, j - 1)
      points[#points + 1] = { at = j, indent = lead, statement = before == "|" or before == ";" }
    end
  end
end

-- Break points: { at = the last character kept, continuation indentation,
-- statement = whether it ends a statement }.
local function break_points(text)
  local points, parens, braces, i = {}, 0, 0, 1
  while i <= #text do
    local c, pair = text:sub(i, i), text:sub(i, i + 1)
    local past = skip(text, i)
    if past then
      if pair == "/*" then
        if parens == 0 and i > 1 then points[#points + 1] = { at = i - 1, indent = INDENT:rep(braces + 2) } end
        comment_spaces(text, i, past, points)
      end
      i = past
    elseif c == "(" or c == "[" then
      parens = parens + 1
    elseif c == ")" or c == "]" then
      parens = parens - 1
    elseif pair == "{ " and parens == 0 then
      braces = braces + 1
      points[#points + 1] = { at = i + 1, indent = INDENT:rep(braces), statement = true }
    elseif c == "}" and parens == 0 then
      braces = braces - 1
    elseif pair == "; " and parens == 0 then
      points[#points + 1] = { at = i + 1, indent = INDENT:rep(braces), statement = true }
    elseif pair == ", " then
      points[#points + 1] = { at = i + 1, indent = INDENT:rep(braces + 2) }
    elseif parens <= 1 and c == " " and BINARY[text:match("^ (%S+) ", i) or ""] then
      points[#points + 1] = { at = i, indent = INDENT:rep(braces + 2) }
    end
    i = i + 1
  end
  return points
end

-- The last break point at or after `from` that keeps the piece within the
-- limit, a statement's end if one fits in its second half.
local function choose(points, first, start, width)
  local best, best_statement
  for k = first, #points do
    local p = points[k]
    if p.at - start + 1 > width then break end
    best = k
    if p.statement and p.at - start + 1 > width // 2 then best_statement = k end
  end
  return best_statement or best
end

-- The lines that `text` (without indentation) becomes at indentation `indent`.
function wrap.lines(indent, text)
  if #indent + #text <= wrap.LIMIT or text:sub(1, 1) == "#" or text:find("\n", 1, true) then
    return { indent .. text }
  end
  local own = text:match("^ *")
  indent, text = indent .. own, text:sub(#own + 1)
  local points, lines = break_points(text), {}
  local start, lead, first = 1, indent, 1
  while #lead + #text - start + 1 > wrap.LIMIT do
    local k = choose(points, first, start, wrap.LIMIT - #lead)
    if not k then break end
    local p = points[k]
    lines[#lines + 1] = lead .. text:sub(start, p.at):gsub("%s+$", "")
    start, lead, first = p.at + 1, indent .. p.indent, k + 1
    while text:sub(start, start) == " " do start = start + 1 end
  end
  lines[#lines + 1] = lead .. text:sub(start)
  return lines
end

return wrap
