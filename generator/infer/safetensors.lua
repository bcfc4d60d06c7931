-- Reads a trainer checkpoint (safetensors: an 8-byte little-endian header
-- length, a JSON header, then the little-endian data) for the inference
-- export: the F32 tensors as Lua numbers and the metadata strings. The file is
-- untrusted: a malformed one is one line naming the file and what is wrong.
local errors = require("errors")

local st = {}

local MAX_HEADER = 100 * 1024 * 1024

-- A small strict JSON reader over r = { text, pos, fail }: objects, arrays,
-- strings without escapes beyond \" \\ \/, numbers. Enough for the header the
-- runtime writes.
local value

local function skip(r) r.pos = r.text:find("[^ \t\r\n]", r.pos) or #r.text + 1 end

local function expect(r, c)
  skip(r)
  if r.text:sub(r.pos, r.pos) ~= c then r.fail("expected '%s' at byte %d of the header", c, r.pos) end
  r.pos = r.pos + 1
end

local function str(r)
  expect(r, '"')
  local out = {}
  while true do
    local c = r.text:sub(r.pos, r.pos)
    if c == "" then r.fail("a string is cut short in the header") end
    r.pos = r.pos + 1
    if c == '"' then return table.concat(out) end
    if c == "\\" then
      c = r.text:sub(r.pos, r.pos)
      r.pos = r.pos + 1
      if c ~= '"' and c ~= "\\" and c ~= "/" then r.fail("unsupported escape \\%s in the header", c) end
    end
    out[#out + 1] = c
  end
end

local function list(r, open, close, item)
  expect(r, open)
  skip(r)
  if r.text:sub(r.pos, r.pos) == close then
    r.pos = r.pos + 1
    return
  end
  repeat
    item()
    skip(r)
    local c = r.text:sub(r.pos, r.pos)
    r.pos = r.pos + 1
    if c ~= "," and c ~= close then r.fail("expected ',' or '%s' at byte %d of the header", close, r.pos - 1) end
  until c == close
end

function value(r)
  skip(r)
  local c = r.text:sub(r.pos, r.pos)
  if c == '"' then return str(r) end
  local t = {}
  if c == "{" then
    list(r, "{", "}", function()
      local k = str(r)
      expect(r, ":")
      if t[k] ~= nil then r.fail("key '%s' twice in the header", k) end
      t[k] = value(r)
    end)
    return t
  end
  if c == "[" then
    list(r, "[", "]", function() t[#t + 1] = value(r) end)
    return t
  end
  local num = r.text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", r.pos)
  if not num or not tonumber(num) then r.fail("unexpected '%s' at byte %d of the header", c, r.pos) end
  r.pos = r.pos + #num
  return tonumber(num)
end

local function parse(text, fail)
  local r = { text = text, pos = 1, fail = fail }
  local v = value(r)
  skip(r)
  if r.pos <= #text then fail("trailing bytes after the header's JSON") end
  return v
end

-- Floats of data[first+1 .. first+4*n] as a list of numbers; nil if one is
-- not finite.
local function floats(data, first, n)
  local out, chunk = {}, 512
  for i = 0, n - 1, chunk do
    local k = math.min(chunk, n - i)
    local vals = { string.unpack("<" .. ("f"):rep(k), data, first + 4 * i + 1) }
    for j = 1, k do
      local v = vals[j]
      if v ~= v or v == math.huge or v == -math.huge then return nil end
      out[i + j] = v
    end
  end
  return out
end

-- The element count of a shape, or nil if it is not a list of sizes.
local function numel(shape)
  if type(shape) ~= "table" then return nil end
  local n = 1
  for _, d in ipairs(shape) do
    if math.type(d) ~= "integer" or d < 0 or d > 1 << 40 then return nil end
    n = n * d
  end
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
  local header = parse(bytes:sub(9, 8 + hlen), fail)
  if type(header) ~= "table" then fail("the header is not a JSON object") end
  local out, data_start, data_len = { tensors = {}, meta = {} }, 8 + hlen, #bytes - 8 - hlen
  for name, t in pairs(header) do
    if name == "__metadata__" then
      if type(t) ~= "table" then fail("__metadata__ is not an object") end
      for k, v in pairs(t) do out.meta[k] = type(v) == "string" and v or nil end
    else
      if type(t) ~= "table" or t.dtype ~= "F32" then fail("tensor '%s': dtype is not F32", name) end
      local n = numel(t.shape)
      if not n then fail("tensor '%s': shape is not a list of sizes", name) end
      local o = t.data_offsets
      if type(o) ~= "table" or #o ~= 2 or math.type(o[1]) ~= "integer" or math.type(o[2]) ~= "integer" or
        o[2] - o[1] ~= 4 * n or o[1] < 0 or o[2] > data_len then
        fail("tensor '%s': data_offsets do not fit its shape and the file", name)
      end
      if not name:match("^optimizer%.") then
        local values = floats(bytes, data_start + o[1], n)
        if not values then fail("tensor '%s' holds a value that is not finite", name) end
        out.tensors[name] = { shape = t.shape, values = values }
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
  local ok = s and #out == count
  for _, v in ipairs(out) do
    ok = ok and v == v and math.abs(v) < math.huge and (key ~= "std" or v > 0)
  end
  if not ok then
    errors.fail("%s: field '%s' must hold %d finite numbers%s (the input normalization), got %s", path, key, count,
      key == "std" and ", all positive" or "", s and ("'" .. s .. "'") or "none")
  end
  return out
end

return st
