-- freeze = { "layer1.*", ... } and lr_mult = { ["fc.*"] = 10, ... }: learning-rate
-- multipliers by tensor-name glob (* and ?), freeze being a multiplier of 0.
-- The runtime applies them in this order (freeze, then lr_mult sorted by pattern).
local errors = require("errors")

local lr_rules = {}

local MAX_PATTERN = 256 -- characters

-- The glob of runtime/lr_rules.c: * any run of characters, ? one. Its one
-- backtrack point keeps it linear in the pattern (a Lua pattern with many
-- .* backtracks for hours).
local function glob_match(pattern, name)
  local p, n, star, resume = 1, 1, nil, nil
  while n <= #name do
    local c = pattern:sub(p, p)
    if c == "*" then
      star, resume, p = p, n, p + 1
    elseif c ~= "" and (c == "?" or c == name:sub(n, n)) then
      p, n = p + 1, n + 1
    elseif star then
      resume = resume + 1 -- let the last star absorb one more character
      p, n = star + 1, resume
    else
      return false
    end
  end
  while pattern:sub(p, p) == "*" do p = p + 1 end
  return p > #pattern
end

local function pattern(p, key, bad)
  if type(p) ~= "string" or not p:match("^[%w_.*?]+$") or #p > MAX_PATTERN then
    bad("%s patterns must be strings of 1 to %d name characters (letters, digits, '_', '.'), * and ?, got %s", key,
      MAX_PATTERN, tostring(p))
  end
  return p
end

-- Whether t is a list: keys 1..#t and no others (a nil item leaves a hole).
local function is_list(t)
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  return n == #t
end

local function freeze_rules(freeze, rules, bad)
  if not is_list(freeze) then bad("freeze must be a list of tensor-name patterns like { \"layer1.*\" }, without holes") end
  for i = 1, #freeze do rules[#rules + 1] = { pattern = pattern(freeze[i], "freeze", bad), mult = 0 } end
end

local function mult_rules(lr_mult, rules, bad)
  local keys = {}
  for k in pairs(lr_mult) do
    if type(k) ~= "string" then
      bad("lr_mult must map tensor-name patterns to numbers, like { [\"fc.*\"] = 10 }; got the key %s", tostring(k))
    end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for _, p in ipairs(keys) do
    local m = lr_mult[p]
    if type(m) ~= "number" or not (m >= 0 and m < math.huge) then
      bad("lr_mult[%q] must be a finite number >= 0, got %s", p, tostring(m))
    end
    rules[#rules + 1] = { pattern = pattern(p, "lr_mult", bad), mult = m }
  end
end

-- The rules of the network's `freeze` and `lr_mult` (each nil or a plain
-- table); bad(fmt, ...) fails at the network.
function lr_rules.parse(freeze, lr_mult, bad)
  local rules = {}
  if freeze ~= nil then freeze_rules(freeze, rules, bad) end
  if lr_mult ~= nil then mult_rules(lr_mult, rules, bad) end
  return rules
end

-- Every rule must match some trainable tensor: a rule that matches nothing is a typo.
function lr_rules.check(rules, nodes, file, line)
  local names = {}
  for _, node in ipairs(nodes) do
    for _, p in ipairs(node.params) do
      if not p.buffer then names[#names + 1] = node.path .. "." .. p.suffix end
    end
  end
  for _, r in ipairs(rules) do
    local hit = false
    for _, name in ipairs(names) do hit = hit or glob_match(r.pattern, name) end
    if not hit then
      errors.fail("%s:%d: network: %s pattern '%s' matches no trainable tensor (names look like '%s')", file, line,
        r.mult == 0 and "freeze" or "lr_mult", r.pattern, names[1] or "")
    end
  end
end

return lr_rules
