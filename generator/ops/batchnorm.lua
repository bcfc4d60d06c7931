-- batchnorm{eps = 1e-5, momentum = 0.1}: per channel of an image or sequence
-- (BatchNorm2d/1d), per feature of a vector. Training normalizes with the
-- batch mean and biased variance and updates the running statistics with
-- the unbiased variance, as PyTorch does; evaluation uses the running
-- statistics. Forward keeps mean, 1/sqrt(var + eps) and the mode for backward.
-- The statistics take one pass (sum and sum of squares, in double), and so do
-- the sums of backward (of dy and dy * x).
-- With a fused relu (generator/fuse.lua) it outputs max(y, 0).
local errors = require("errors")
local util = require("ops.util")

local op = { positional = {}, keys = { "eps", "momentum" }, uses_training = true }

function op.infer(node, shape)
  local a = node.args
  node.bn = {
    C = shape[1],
    S = util.numel(shape) // shape[1], -- positions per channel and image
    vector = #shape == 1,
    eps = util.number(node, "eps", a.eps or 1e-5, 0, 1),
    momentum = util.number(node, "momentum", a.momentum or 0.1, 0, 1),
  }
  if node.bn.eps == 0 then
    errors.layer_fail(node, "'eps' must be a number in (0, 1], got 0 (1/sqrt(var + eps) must stay finite)")
  end
  local C = shape[1]
  node.desc = #shape == 1 and "batchnorm1d" or (#shape == 2 and "batchnorm1d" or "batchnorm2d")
  node.params = {
    { suffix = "weight", shape = { C }, init = "ones", fan_in = 1, fan_out = 1 },
    { suffix = "bias", shape = { C }, init = "zeros", fan_in = 1, fan_out = 1 },
    { suffix = "running_mean", shape = { C }, init = "zeros", fan_in = 1, fan_out = 1, buffer = true },
    { suffix = "running_var", shape = { C }, init = "ones", fan_in = 1, fan_out = 1, buffer = true },
  }
  node.saved = 2 * C + 1 -- mean[C], invstd[C], training flag
  return shape
end

-- Element j of channel c: channel-major rows for images/sequences, columns for vectors.
local function at(node, j)
  local b = node.bn
  if b.vector then return string.format("(size_t)%s * %d + c", j, b.C) end
  return string.format("(size_t)c * m + %s", j)
end

local function declare(node, w, g)
  local b = node.bn
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("const %s *gamma = %s;", g.T, g.params(node.p.weight))
  w:line("%s *mean = %s, *invstd = mean + %d;", g.T, g.acts(node.saved_off), b.C)
  w:line("const int m = n%s; /* values per channel */", b.S > 1 and (" * " .. b.S) or "")
end

function op.forward(node, w, g)
  local b = node.bn
  declare(node, w, g)
  w:line("const %s *beta = %s;", g.T, g.params(node.p.bias))
  w:line("%s *running_mean = %s, *running_var = %s;", g.T, g.params(node.p.running_mean), g.params(node.p.running_var))
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  w:line("mean[%d] = (%s)training;", 2 * b.C, g.T)
  w:line("#pragma omp parallel for")
  w:open("for (int c = 0; c < %d; ++c) {", b.C)
  w:open("if (training) {")
  w:line("double sum = 0.0, sq = 0.0;")
  if b.vector then
    w:line("for (int j = 0; j < m; ++j) { const double v = x[%s]; sum += v; sq += v * v; }", at(node, "j"))
  else
    w:line("sum_and_dot(x + (size_t)c * m, NULL, x + (size_t)c * m, m, &sum, &sq); /* sum, sum of squares */")
  end
  w:line("const double mu = sum / m;")
  w:line("const double var = fmax(sq / m - mu * mu, 0.0); /* one pass, in double */")
  w:line("mean[c] = (%s)mu;", g.T)
  w:line("invstd[c] = (%s)(1.0 / sqrt(var + %s));", g.T, g.dlit(b.eps))
  w:line("running_mean[c] = (%s)(%s * running_mean[c] + %s * mu);", g.T, g.dlit(1 - b.momentum),
    g.dlit(b.momentum))
  w:line("running_var[c] = (%s)(%s * running_var[c] + %s * (m > 1 ? var * m / (m - 1) : var));", g.T,
    g.dlit(1 - b.momentum), g.dlit(b.momentum))
  w:middle("} else {")
  w:line("mean[c] = running_mean[c];")
  w:line("invstd[c] = (%s)(1.0 / sqrt((double)running_var[c] + %s));", g.T, g.dlit(b.eps))
  w:close()
  w:line("const %s scale = gamma[c] * invstd[c], shift = beta[c] - mean[c] * scale;", g.T)
  if util.fused_relu(node) then
    w:line("for (int j = 0; j < m; ++j) { const %s v = x[%s] * scale + shift; y[%s] = v > %s ? v : %s; }", g.T,
      at(node, "j"), at(node, "j"), g.zero, g.zero)
  else
    w:line("for (int j = 0; j < m; ++j) y[%s] = x[%s] * scale + shift;", at(node, "j"), at(node, "j"))
  end
  w:close()
end

function op.backward(node, w, g)
  local b = node.bn
  declare(node, w, g)
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  if util.masks_dy(node) then w:line("const %s *y = %s; /* the fused relu passes dy where y > 0 */", g.T, g.acts(node.out_off)) end
  w:line("%s *dgamma = %s, *dbeta = %s;", g.T, g.grads(node.p.weight), g.grads(node.p.bias))
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  w:line("const int training = mean[%d] != 0;", 2 * b.C)
  w:line("#pragma omp parallel for")
  w:open("for (int c = 0; c < %d; ++c) {", b.C)
  w:line("double sum_dy = 0.0, sum_dy_x = 0.0;")
  -- gj, the gradient reaching the normalization: dy, or with a fused relu dy
  -- where y > 0 (dy is loaded unconditionally, so that the select vectorizes)
  local function load_grad()
    if util.masks_dy(node) then
      w:line("const %s d = dy[%s], gj = y[%s] > %s ? d : %s;", g.T, at(node, "j"), at(node, "j"), g.zero, g.zero)
    else
      w:line("const %s gj = dy[%s];", g.T, at(node, "j"))
    end
  end
  if b.vector then
    w:open("for (int j = 0; j < m; ++j) {")
    load_grad()
    w:line("sum_dy += gj;")
    w:line("sum_dy_x += (double)gj * x[%s];", at(node, "j"))
    w:close()
  else
    w:line("sum_and_dot(dy + (size_t)c * m, %s, x + (size_t)c * m, m, &sum_dy, &sum_dy_x);",
      util.masks_dy(node) and "y + (size_t)c * m" or "NULL")
  end
  w:line("const double sum_dy_xhat = (sum_dy_x - mean[c] * sum_dy) * invstd[c];")
  w:line("if (%s) put_grad(s, &dgamma[c], (%s)sum_dy_xhat);", util.trains(node, "weight"), g.T)
  w:line("if (%s) put_grad(s, &dbeta[c], (%s)sum_dy);", util.trains(node, "bias"), g.T)
  w:line("if (!need_dx) continue;")
  w:line("const %s k = gamma[c] * invstd[c];", g.T)
  -- training: dx = k * (g - mean(g) - xhat * mean(g * xhat)), an affine function of g and x
  w:line("const %s c1 = training ? (%s)(-k * invstd[c] * sum_dy_xhat / m) : %s;", g.T, g.T, g.zero)
  w:line("const %s c0 = training ? (%s)(-k * sum_dy / m) - c1 * mean[c] : %s;", g.T, g.T, g.zero)
  w:open("for (int j = 0; j < m; ++j) {")
  load_grad()
  w:line("dx[%s] %s k * gj + c1 * x[%s] + c0;", at(node, "j"), util.dx_op(node), at(node, "j"))
  w:close()
  w:close()
end

function op.strategy() return "direct" end

return op
