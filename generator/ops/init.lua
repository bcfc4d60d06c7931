-- The op registry: every op is one module in generator/ops/, listed here in
-- the order used for error messages and documentation.
local ops = {}

local NAMES = {
  "conv2d", "conv1d", "linear", "flatten", "rows_as_sequence",
  "relu", "relu6", "leaky_relu", "elu", "sigmoid", "tanh", "softmax",
  "maxpool2d", "avgpool2d", "maxpool1d", "global_avgpool",
  "batchnorm", "dropout", "dropblock",
  "softmax_cross_entropy", "binary_cross_entropy", "mse", "l1",
}

local modules = {}

function ops.names() return NAMES end

function ops.get(name)
  if not modules[name] then modules[name] = require("ops." .. name) end
  return modules[name]
end

return ops
