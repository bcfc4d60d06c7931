-- Named pointers: every tensor of the model gets a macro, so that the layer
-- functions read `const float *w = PARAMS_conv1_weight;` rather than a bare
-- offset into one of the state's arrays. Layer outputs are ACTS_<layer>
-- (ACTS_input for the input) with their gradients DACTS_<layer>; what a
-- layer keeps for backward is SAVED_<layer>, its argmax INDEX_<layer>;
-- parameters are PARAMS_<layer>_<tensor> with gradients GRADS_<...>. Only
-- the names the code uses are defined, in a fixed order.
local names = {}
names.__index = names

local function ident(path) return (path:gsub("[^%w]", "_")) end

-- nodes and layout as the plan left them (plan.lua).
function names.new(nodes, layout)
  local self = setmetatable({ by = { acts = {}, params = {}, index = {} }, used = {} }, names)
  self.by.acts[0] = "input"
  for _, node in ipairs(nodes) do
    self.by.acts[node.out_off] = node.ident
    if node.saved_off then self.by.acts[node.saved_off] = "saved:" .. node.ident end
    if node.index_off then self.by.index[node.index_off] = node.ident end
  end
  for _, p in ipairs(layout.tensors) do self.by.params[p.offset] = ident(p.name) end
  return self
end

local ARRAYS = {
  acts = { array = "acts", prefix = "ACTS", by = "acts" },
  dacts = { array = "dacts", prefix = "DACTS", by = "acts" },
  params = { array = "params", prefix = "PARAMS", by = "params" },
  grads = { array = "grads", prefix = "GRADS", by = "params" },
  index = { array = "index", prefix = "INDEX", by = "index" },
}

-- The C expression for offset `off` of array `kind` (acts, dacts, params,
-- grads or index): a name where a tensor starts there.
function names:pointer(kind, off)
  local a = ARRAYS[kind]
  local what = self.by[a.by][off]
  if not what then return off == 0 and "s->" .. a.array or string.format("s->%s + %d", a.array, off) end
  local prefix = a.prefix
  if what:find("^saved:") then prefix, what = "SAVED", what:sub(7) end
  local name = prefix .. "_" .. what
  self.used[name] = { array = a.array, off = off }
  return name
end

-- The #define lines of the names used, by array and offset.
function names:defines()
  local list = {}
  for name, at in pairs(self.used) do list[#list + 1] = { name = name, array = at.array, off = at.off } end
  table.sort(list, function(x, y)
    if x.array ~= y.array then return x.array < y.array end
    if x.off ~= y.off then return x.off < y.off end
    return x.name < y.name
  end)
  local lines = {}
  for i, n in ipairs(list) do
    lines[i] = string.format("#define %s (s->%s + %d)", n.name, n.array, n.off)
  end
  return lines
end

return names
