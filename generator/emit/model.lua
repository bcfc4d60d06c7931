-- Output: NAME.h (constants, descriptor), NAME.c (one function per layer and
-- direction, the model's forward/loss/backward, tensor table, summary) and,
-- for float models, NAME_main.c (the trainer's entry point).
local writer = require("emit.writer")
local util = require("ops.util")

local emit = {}

local DTYPES = {
  float = { T = "float", gemm = "cblas_sgemm", gemv = "cblas_sgemv", ger = "cblas_sger", suffix = "f", model = "nn_model", state = "nn_state" },
  double = { T = "double", gemm = "cblas_dgemm", gemv = "cblas_dgemv", ger = "cblas_dger", suffix = "", model = "nn_model64", state = "nn_state64" },
}

local INIT_ENUM = {
  default = "NN_INIT_UNIFORM_FAN_IN", ones = "NN_INIT_ONES", xavier_uniform = "NN_INIT_XAVIER_UNIFORM",
  xavier_normal = "NN_INIT_XAVIER_NORMAL", kaiming_normal = "NN_INIT_KAIMING_NORMAL", zeros = "NN_INIT_ZEROS",
}

-- Code-generation context shared by the op modules.
local function context(dtype)
  local d = DTYPES[dtype]
  local g = { T = d.T, gemm = d.gemm, gemv = d.gemv, ger = d.ger }
  function g.lit(x)
    local s = string.format(d.T == "float" and "%.9g" or "%.17g", x)
    if not s:find("[.eEn]") then s = s .. ".0" end
    return d.T == "float" and s .. "f" or s
  end
  g.one, g.zero = g.lit(1), g.lit(0)
  -- a double literal, for arithmetic done in double whatever the scalar type
  function g.dlit(x)
    local s = string.format("%.17g", x)
    return s:find("[.eEn]") and s or s .. ".0"
  end
  function g.fn(name) return name .. d.suffix end
  local function ptr(base) return function(off) return off == 0 and base or string.format("%s + %d", base, off) end end
  g.acts, g.dacts, g.params, g.grads = ptr("s->acts"), ptr("s->dacts"), ptr("s->params"), ptr("s->grads")
  return g, d
end

local function c_string(s)
  return '"' .. s:gsub("\\", "\\\\"):gsub('"', '\\"') .. '\\n"'
end

local function layer_comment(node, where)
  return string.format("/* %s: %s (%s) | %s -> %s | %s MACs per image | %s */", where, node.path, node.desc,
    util.shape_str(node.in_shape), util.shape_str(node.out_shape), util.commas(node.macs),
    node.module.strategy(node))
end

-- A node's input gradient is needed only when some tensor before it still
-- trains (or the caller asked for the input's gradient). Declares one flag
-- per node with parameters or several inputs that a call uses; other nodes
-- pass their input's flag on. Returns producer -> C expression.
local function needs_dx(nodes, body)
  local flag, terms_of = {}, {}
  local function of(p) return p.is_input and "d_input != NULL" or flag[p] end
  for _, node in ipairs(nodes) do
    local terms, seen = {}, {}
    for _, p in ipairs(node.inputs) do
      local t = of(p)
      if not seen[t] then terms[#terms + 1], seen[t] = t, true end
    end
    for _, p in ipairs(node.params) do
      if not p.buffer then terms[#terms + 1] = string.format("trains(s, %d)", p.index) end
    end
    if #terms == 1 then
      flag[node] = terms[1]
    else
      flag[node] = "upstream_" .. node.ident
      terms_of[flag[node]] = terms
    end
  end
  local used = {}
  local function use(expr)
    if terms_of[expr] and not used[expr] then
      used[expr] = true
      for _, t in ipairs(terms_of[expr]) do use(t) end
    end
  end
  for _, node in ipairs(nodes) do
    for _, p in ipairs(node.inputs) do use(of(p)) end
  end
  if next(used) then
    body:line("/* upstream_X: a tensor at or before layer X gets a gradient, so gradients flow into X */")
  end
  for _, node in ipairs(nodes) do
    local f = flag[node]
    if used[f] and f == "upstream_" .. node.ident then
      body:line("const int %s = %s;", f, table.concat(terms_of[f], " || "))
    end
  end
  return of
end

-- The need_dx argument of a node's backward: its input's flag, or for a node
-- with several inputs a bit per input (bit k - 1 for input k).
local function need_dx_arg(node, need)
  if not node.module.multi_input then return need(node.inputs[1]) end
  local bits = {}
  for k, p in ipairs(node.inputs) do
    bits[k] = k == 1 and string.format("(%s)", need(p)) or string.format("(%s) << %d", need(p), k - 1)
  end
  return table.concat(bits, " | ")
end

-- Backward runs the nodes in reverse; the first of them to write a tensor's
-- gradient assigns it and the later ones add to it (node.dx_assign[k] for
-- input k, read by the ops through util.dx_op), so that no gradient buffer
-- is zeroed in a separate pass. All consumers of a tensor write its gradient
-- under the same flag, so the assigning one never skips while another adds.
-- Returns the set of tensors (producer nodes, or the input) that have one.
local function plan_dx_writes(nodes)
  local written = {}
  for i = #nodes, 1, -1 do
    local node = nodes[i]
    node.dx_assign = {}
    for k, p in ipairs(node.inputs) do
      node.dx_assign[k] = not written[p]
      written[p] = true
    end
  end
  return written
end

-- With profile, every layer call is timed into NAME_profile[] (runtime/profile.h).
local function timed(profile, body, index, direction, call)
  if profile then
    body:line("{ const double t0 = nn_now(); %s nn_profile_add(&PROFILE_TABLE[%d], %d, t0); }", call, index,
      direction)
  else
    body:line("%s", call)
  end
end

function emit.generate(nodes, loss, settings, plan, summary_lines, spec_path, dtype, profile)
  local g, d = context(dtype)
  local name = settings.name
  local state = d.state
  local body = writer.new()

  -- The user's input is n x C x S; inside, images are channel-major C x n x S.
  local C = #settings.input > 1 and settings.input[1] or 1
  local S = plan.input_size // C
  body:line("/* input: the user's %s x %s array to the channel-major layout (and back for its gradient) */",
    "n", util.shape_str(settings.input))
  body:func("static void %s_load_input(const %s *s, const %s *input, int n)", name, state, g.T)
  if C == 1 then
    body:line("memcpy(s->acts, input, sizeof(%s) * (size_t)n * %d);", g.T, S)
  else
    body:line("for (int c = 0; c < %d; ++c)", C)
    body:line("    for (int i = 0; i < n; ++i)")
    body:line("        memcpy(s->acts + ((size_t)c * n + i) * %d, input + ((size_t)i * %d + c) * %d, sizeof(%s) * %d);",
      S, C, S, g.T, S)
  end
  body:close()
  body:line("")
  body:func("static void %s_store_input_grad(const %s *s, %s *d_input, int n)", name, state, g.T)
  if C == 1 then
    body:line("memcpy(d_input, s->dacts, sizeof(%s) * (size_t)n * %d);", g.T, S)
  else
    body:line("for (int c = 0; c < %d; ++c)", C)
    body:line("    for (int i = 0; i < n; ++i)")
    body:line("        memcpy(d_input + ((size_t)i * %d + c) * %d, s->dacts + ((size_t)c * n + i) * %d, sizeof(%s) * %d);",
      C, S, S, g.T, S)
  end
  body:close()

  local written = plan_dx_writes(nodes)
  for _, node in ipairs(nodes) do
    local fname = name .. "_" .. node.ident
    body:line("")
    body:line(layer_comment(node, string.format("%s:%d", spec_path, node.line)))
    body:func("static void %s_forward(const %s *s, int n%s)", fname, state, node.module.uses_training and ", int training" or "")
    node.module.forward(node, body, g)
    body:close()
    body:line("")
    body:func("static void %s_backward(const %s *s, int n, int need_dx)", fname, state)
    if #node.params == 0 then body:line("if (!need_dx) return;") end
    node.module.backward(node, body, g)
    body:close()
  end

  body:line("")
  body:line("/* loss: %s on %s outputs; returns the batch mean and writes its gradient */", loss.desc,
    util.shape_str(loss.in_shape))
  body:func("static %s %s_loss(const %s *s, const %s *target, int n)", g.T, name, state, g.T)
  loss.module.emit(loss, body, g)
  body:close()

  body:line("")
  body:func("static void %s_forward(const %s *s, const %s *input, int n, int training)", name, state, g.T)
  local uses_training = false
  for _, node in ipairs(nodes) do uses_training = uses_training or node.module.uses_training end
  if not uses_training then body:line("(void)training; /* no layer of this model behaves differently in training */") end
  body:line("%s_load_input(s, input, n);", name)
  for i, node in ipairs(nodes) do
    timed(profile, body, i - 1, 0,
      string.format("%s_%s_forward(s, n%s);", name, node.ident, node.module.uses_training and ", training" or ""))
  end
  body:close()

  body:line("")
  body:line("/* Call after %s_loss, which seeds the output gradient. */", name)
  body:func("static void %s_backward(const %s *s, int n, %s *d_input)", name, state, g.T)
  -- the first consumer of each tensor assigns its gradient (plan_dx_writes) and the loss
  -- writes the output's: zero only the n images' part of a tensor that nothing consumes
  local input_consumed = false
  for p in pairs(written) do input_consumed = input_consumed or p.is_input == true end
  if not input_consumed then
    body:line("if (d_input) memset(s->dacts, 0, sizeof(%s) * (size_t)n * %d);", g.T, plan.input_size)
  end
  for _, node in ipairs(nodes) do
    if node.out_off ~= plan.output_off and not written[node] then
      body:line("memset(s->dacts + %d, 0, sizeof(%s) * (size_t)n * %d);", node.out_off, g.T, util.numel(node.out_shape))
    end
  end
  local need = needs_dx(nodes, body)
  for i = #nodes, 1, -1 do
    local node = nodes[i]
    timed(profile, body, i - 1, 1, string.format("%s_%s_backward(s, n, %s);", name, node.ident, need_dx_arg(node, need)))
  end
  body:line("if (d_input) %s_store_input_grad(s, d_input, n);", name)
  body:close()

  body:line("")
  body:open("static const nn_tensor %s_tensors[] = {", name)
  for _, p in ipairs(plan.tensors) do
    local dims = {}
    for i = 1, 4 do dims[i] = tostring(p.shape[i] or 0) end
    body:line('{ "%s", %d, { %s }, %d, %d, %s, %s, %d, %d },', p.name, #p.shape, table.concat(dims, ", "),
      p.offset, p.size, p.buffer and "NN_BUFFER" or (p.decay and "NN_TRAINABLE | NN_DECAY" or "NN_TRAINABLE"), INIT_ENUM[p.init],
      p.fan_in, p.fan_out)
  end
  body:close(";")
  if #settings.lr_rules > 0 then
    body:line("")
    body:line("/* the spec's freeze and lr_mult rules, applied before the command line's */")
    body:open("static const nn_lr_rule %s_lr_rules[] = {", name)
    for _, r in ipairs(settings.lr_rules) do body:line('{ "%s", %s },', r.pattern, g.dlit(r.mult)) end
    body:close(";")
  end
  body:line("")
  body:line("static const char %s_summary[] =", name)
  for i, line in ipairs(summary_lines) do
    body:line("    %s%s", c_string(line), i == #summary_lines and ";" or "")
  end
  local total_params, total_macs = require("summary").totals(nodes)
  local input_dims = {}
  for i = 1, 3 do input_dims[i] = tostring(settings.input[i] or 0) end
  body:line("")
  body:open("const %s %s_model = {", d.model, name)
  body:line('.name = "%s",', name)
  body:line('.loss_name = "%s",', loss.op)
  body:line(".summary = %s_summary,", name)
  body:line(".batch = %d,", settings.batch)
  body:line(".input_rank = %d,", #settings.input)
  body:line(".input_shape = { %s },", table.concat(input_dims, ", "))
  body:line(".input_size = %d,", plan.input_size)
  body:line(".output_size = %d,", plan.output_size)
  body:line(".output_offset = %d,", plan.output_off)
  body:line(".n_params = %d,", plan.params)
  body:line(".n_acts = %d,", plan.acts)
  body:line(".n_work = %d,", plan.work)
  body:line(".n_index = %d,", plan.index)
  body:line(".tensors = %s_tensors,", name)
  body:line(".n_tensors = %d,", #plan.tensors)
  if #settings.lr_rules > 0 then
    body:line(".lr_rules = %s_lr_rules,", name)
    body:line(".n_lr_rules = %d,", #settings.lr_rules)
  end
  body:line(".total_params = %d,", total_params)
  body:line(".macs = %d,", total_macs)
  body:line(".forward = %s_forward,", name)
  body:line(".loss = %s_loss,", name)
  body:line(".backward = %s_backward,", name)
  body:close(";")

  if profile then
    body:line("")
    body:open("nn_profile_entry %s_profile[%d] = {", name, #nodes)
    for _, node in ipairs(nodes) do
      local from_input = #node.inputs == 1 and node.inputs[1].is_input
      body:line('{ .path = "%s", .desc = "%s", .macs = %d, .from_input = %d },', node.path, node.desc, node.macs,
        from_input and 1 or 0)
    end
    body:close(";")
  end

  local c = writer.new()
  c:line("/* %s: generated by nncc from %s (%s); do not edit. */", name .. ".c", spec_path, d.T)
  c:line('#include "%s.h"', name)
  if profile then c:line("#define PROFILE_TABLE %s_profile", name) end
  c:line("")
  c:line("#include <cblas.h>")
  c:line("#include <math.h>")
  c:line("#include <stdint.h>")
  c:line("#include <string.h>")
  c:line("")
  c:line("/* the scalar type the shared kernels are written over (runtime/nn_vec.h) */")
  c:line("typedef %s real;", g.T)
  c:line("")
  c:line('#include "nn_vec.h"')
  c:line('#include "nn_kernels.h"')
  c:line('#include "nn_direct.h"')
  c:line('#include "nn_winograd.h"')
  c:line("")
  c:line("/* Whether tensor t gets a gradient: the trainer can freeze tensors. */")
  c:line("static inline int trains(const %s *s, int t) { return !s->frozen || !s->frozen[t]; }", state)
  c:line("")
  c:line("/* Parameter gradients are written by backward, or added to when the trainer")
  c:line(" * accumulates micro-batches: as a BLAS beta, and for one value. */")
  c:line("static inline real grad_beta(const %s *s) { return s->accumulate_grads ? 1 : 0; }", state)
  c:line("static inline void put_grad(const %s *s, real *g, real v) { *g = s->accumulate_grads ? *g + v : v; }", state)
  c:line("")
  local source = c:text() .. body:text()

  local guard = name:upper() .. "_H"
  local h = writer.new()
  h:line("/* %s: generated by nncc from %s (%s); do not edit. */", name .. ".h", spec_path, d.T)
  h:line("#ifndef %s", guard)
  h:line("#define %s", guard)
  h:line("")
  h:line('#include "nn_model.h"')
  if profile then h:line('#include "profile.h"') end
  h:line("")
  h:line("#define %s_BATCH %d", name:upper(), settings.batch)
  h:line("#define %s_INPUT_SIZE %d", name:upper(), plan.input_size)
  h:line("#define %s_OUTPUT_SIZE %d", name:upper(), plan.output_size)
  h:line("#define %s_PARAMS %d", name:upper(), total_params)
  h:line("")
  h:line("extern const %s %s_model;", d.model, name)
  if profile then
    h:line("#define %s_PROFILE_LAYERS %d", name:upper(), #nodes)
    h:line("extern nn_profile_entry %s_profile[%d]; /* --profile: time per layer and direction */", name, #nodes)
  end
  h:line("")
  h:line("#endif")

  local files = { { name .. ".h", h:text() }, { name .. ".c", source } }
  if dtype == "float" then
    local m = writer.new()
    m:line("/* %s: generated by nncc from %s; do not edit. */", name .. "_main.c", spec_path)
    m:line('#include "%s.h"', name)
    m:line('#include "train.h"')
    m:line("")
    m:func("int main(int argc, char **argv)")
    m:line("return nn_train_main(&%s_model, argc, argv);", name)
    m:close()
    files[#files + 1] = { name .. "_main.c", m:text() }
  end
  return files
end

return emit
