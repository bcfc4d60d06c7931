-- The names a spec gives become parts of C identifiers: the network's name
-- prefixes every identifier and macro the model declares (NAME_model,
-- NAME_forward, NAME_tensors, NAME_H, NAME_BATCH, ...) and names its files; a
-- layer's path becomes the middle of NAME_<path>_forward and of the tensor
-- macros ACTS_<path>, PARAMS_<path>_weight, ... (emit/names.lua). These checks
-- keep them clear of C's keywords, of the runtime's nn_ and NN_ names and of
-- the generator's own.
local c_names = {}

c_names.MAX_LENGTH = 64 -- characters of a name

local KEYWORDS = {}
for word in ([[alignas alignof auto bool break case char const constexpr continue default do double else enum
  extern false float for goto if inline int long nullptr register restrict return short signed sizeof static
  static_assert struct switch thread_local true typedef typeof typeof_unqual union unsigned void volatile
  while]]):gmatch("%a[%w_]*") do
  KEYWORDS[word] = true
end

-- The tensor macros' prefixes (emit/names.lua), which the name's upper case
-- (NAME_BATCH, NAME_H, ...) must not take.
local MACRO_PREFIXES = { ACTS = true, DACTS = true, PARAMS = true, GRADS = true, SAVED = true, INDEX = true }

-- What is wrong with the string `name` as the network's name, or nil.
function c_names.network_problem(name)
  if not name:match("^%a[%w_]*$") then
    return "must be a C identifier: a letter, then letters, digits and '_'"
  end
  if #name > c_names.MAX_LENGTH then return string.format("is longer than %d characters", c_names.MAX_LENGTH) end
  if KEYWORDS[name] then return "is a C keyword" end
  local upper = name:upper()
  if upper == "NN" or upper:sub(1, 3) == "NN_" then
    return "clashes with the runtime's names, which start with nn_ and NN_ (nn_model, ...)"
  end
  if MACRO_PREFIXES[upper] then return "clashes with the generated C's tensor macros (" .. upper .. "_...)" end
end

-- What is wrong with the string `name` as a layer's name (a path component), or nil.
function c_names.layer_name_problem(name)
  if not name:match("^[%w_]+$") then return "must be letters, digits and '_'" end
  if #name > c_names.MAX_LENGTH then return string.format("is longer than %d characters", c_names.MAX_LENGTH) end
end

-- What is wrong with a layer's C name (its path, dots as '_'), or nil: the
-- network's input is ACTS_input.
function c_names.layer_ident_problem(ident)
  if ident == "input" then return "clashes with the network's input (ACTS_input); rename the layer" end
end

return c_names
