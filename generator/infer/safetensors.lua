-- Reads a trainer checkpoint (safetensors: an 8-byte little-endian header
-- length, a JSON header, then the little-endian data) for the inference
-- export: the F32 tensors as Lua numbers and the metadata strings. The file is
-- untrusted: a malformed one is one line naming the file and what is wrong.
local errors = require("errors")

local st = {}

local MAX_HEADER = 100 * 1024 * 1024

-- A small strict JSON reader: objects, arrays, strings without escapes
-- beyond \" \\ \/, numbers. Enough for the header the runtime writes.
local function parser(text, fail)
  local pos = 1
  local value
  local function skip() pos = text:find("[^ \t\r\n]", pos) or #text + 1 end
  local function expect(c)
    skip()
    if text:sub(pos, pos) ~= c then fail("expected '%s' at byte %d of the header", c, pos) end
    pos = pos + 1
  end
  local function str()
    expect('"')
    local out = {}
    while true do
      local c = text:sub(pos, pos)
      if c == "" then fail("a string is cut short in the header") end
      pos = pos + 1
      if c == '"' then return table.concat(out) end
      if c == "\\" then
        c = text:sub(pos, pos)
        pos = pos + 1
        if c ~= '"' and c ~= "\\" and c ~= "/" then fail("unsupported escape \\%s in the header", c) end
      end
      out[#out + 1] = c
    end
  end
  local function list(open, close, item)
    expect(open)
    skip()
    if text:sub(pos, pos) == close then pos = pos + 1 return end
    repeat
      item()
      skip()
      local c = text:sub(pos, pos)
      pos = pos + 1
      if c ~= "," and c ~= close then fail("expected ',' or '%s' at byte %d of the header", close, pos - 1) end
    until c == close
  end
  function value()
    skip()
    local c = text:sub(pos, pos)
    if c == '"' then return str() end
    if c == "{" then
      local t = {}
      list("{", "}", function()
        local k = str()
        expect(":")
        if t[k] ~= nil then fail("key '%s' twice in the header", k) end
        t[k] = value()
      end)
      return t
    end
    if c == "[" then
      local t = {}
      list("[", "]", function() t[#t + 1] = value() end)
      return t
    end
    local num = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
    if not num or not tonumber(num) then fail("unexpected '%s' at byte %d of the header", c, pos) end
    pos = pos + #num
    return tonumber(num)
  end
  return function()
    local v = value()
    skip()
    if pos <= #text then fail("trailing bytes after the header's JSON") end
    return v
  end
end

-- Floats of data[first+1 .. first+4*n] as a list of numbers.
local function floats(data, first, n)
  local out, chunk = {}, 512
  for i = 0, n - 1, chunk do
    local k = math.min(chunk, n - i)
    local vals = { string.unpack("<" .. ("f"):rep(k), data, first + 4 * i + 1) }
    for j = 1, k do out[i + j] = vals[j] end
  end
  return out
end

local function numel(shape)
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  return n
end

-- Returns { tensors = name -> { shape, values }, meta = key -> string }.
function st.read(path)
  local function fail(fmt, ...) errors.fail("%s: " .. fmt, path, ...) end
  local f, err = io.open(path, "rb")
  if not f then errors.fail("%s", err) end
  local bytes = f:read("a")
  f:close()
  if not bytes or #bytes < 8 then fail("not a safetensors file (shorter than 8 bytes)") end
  local hlen = string.unpack("<I8", bytes)
  if hlen < 2 or hlen > MAX_HEADER or 8 + hlen > #bytes then
    fail("not a safetensors file (header length %d for a file of %d bytes)", hlen, #bytes)
  end
  local header = parser(bytes:sub(9, 8 + hlen), fail)()
  if type(header) ~= "table" then fail("the header is not a JSON object") end
  local out, data_start, data_len = { tensors = {}, meta = {} }, 8 + hlen, #bytes - 8 - hlen
  for name, t in pairs(header) do
    if name == "__metadata__" then
      for k, v in pairs(t) do out.meta[k] = v end
    else
      if type(t) ~= "table" or t.dtype ~= "F32" then fail("tensor '%s': dtype is not F32", name) end
      local o = t.data_offsets
      local n = numel(t.shape or {})
      if type(o) ~= "table" or #o ~= 2 or o[2] - o[1] ~= 4 * n or o[1] < 0 or o[2] > data_len then
        fail("tensor '%s': data_offsets do not fit its shape and the file", name)
      end
      if not name:match("^optimizer%.") then
        out.tensors[name] = { shape = t.shape, values = floats(bytes, data_start + o[1], n) }
      end
    end
  end
  return out
end

-- The per-channel numbers of metadata field key ("0.286,0.353").
function st.numbers(ckpt, path, key, count)
  local s = ckpt.meta[key]
  local out = {}
  for item in (s or ""):gmatch("[^,]+") do out[#out + 1] = tonumber(item) end
  if not s or #out ~= count then
    errors.fail("%s: field '%s' must hold %d numbers (the input normalization), got %s", path, key, count,
      s and ("'" .. s .. "'") or "none")
  end
  return out
end

return st
