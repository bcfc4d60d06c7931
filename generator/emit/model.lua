-- Output: NAME.h (constants, descriptor), NAME.c (one function per layer and
-- direction, the model's forward/loss/backward, tensor table, summary) and,
-- for float models, NAME_main.c (the trainer's entry point).
local writer = require("emit.writer")
local limits = require("limits")
local names = require("emit.names")
local util = require("ops.util")
local summary = require("summary")

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
local function context(dtype, pointers)
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
  local function ptr(kind) return function(off) return pointers:pointer(kind, off) end end
  g.acts, g.dacts, g.params, g.grads, g.index = ptr("acts"), ptr("dacts"), ptr("params"), ptr("grads"), ptr("index")
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

-- With profile, every layer call is timed into NAME_profile[] (runtime/profile.h).
local function timed(profile, body, index, direction, call)
  if profile then
    body:line("{ const double t0 = nn_now(); %s nn_profile_add(&PROFILE_TABLE[%d], %d, t0); }", call, index,
      direction)
  else
    body:line("%s", call)
  end
end

-- The user's input is n x C x S; inside, images are channel-major C x n x S.
local function input_layout(body, ctx)
  local g, name, state, settings = ctx.g, ctx.name, ctx.d.state, ctx.settings
  local C = #settings.input > 1 and settings.input[1] or 1
  local S = ctx.layout.input_size // C
  body:line("/* input: the user's %s x %s array to the channel-major layout (and back for its gradient) */",
    "n", util.shape_str(settings.input))
  local function copy(signature, contiguous, dst, src)
    body:func(signature, name, state, g.T)
    if C == 1 then
      body:line("memcpy(%s, %s, sizeof(%s) * (size_t)n * %d);", contiguous[1], contiguous[2], g.T, S)
    else
      body:line("for (int c = 0; c < %d; ++c)", C)
      body:line("    for (int i = 0; i < n; ++i)")
      body:line("        memcpy(%s, %s, sizeof(%s) * %d);", dst, src, g.T, S)
    end
    body:close()
  end
  local user = string.format("((size_t)i * %d + c) * %d", C, S)
  local inside = string.format("((size_t)c * n + i) * %d", S)
  copy("static void %s_load_input(const %s *s, const %s *input, int n)", { "s->acts", "input" },
    "s->acts + " .. inside, "input + " .. user)
  body:line("")
  copy("static void %s_store_input_grad(const %s *s, %s *d_input, int n)", { "d_input", "s->dacts" },
    "d_input + " .. user, "s->dacts + " .. inside)
end

-- One forward and one backward function per layer, headed by its comment.
local function layer_functions(body, ctx)
  local state = ctx.d.state
  for _, node in ipairs(ctx.nodes) do
    local fname = ctx.name .. "_" .. node.ident
    body:line("")
    body:line(layer_comment(node, string.format("%s:%d", ctx.spec_path, node.line)))
    body:func("static void %s_forward(const %s *s, int n%s)", fname, state, node.module.uses_training and ", int training" or "")
    node.module.forward(node, body, ctx.g)
    body:close()
    body:line("")
    body:func("static void %s_backward(const %s *s, int n, int need_dx)", fname, state)
    if #node.params == 0 then body:line("if (!need_dx) return;") end
    node.module.backward(node, body, ctx.g)
    body:close()
    limits.check_lines(node, #body.lines)
  end
  local loss = ctx.loss
  body:line("")
  body:line("/* loss: %s on %s outputs; returns the batch mean and writes its gradient */", loss.desc,
    util.shape_str(loss.in_shape))
  body:func("static %s %s_loss(const %s *s, const %s *target, int n)", ctx.g.T, ctx.name, state, ctx.g.T)
  loss.module.emit(loss, body, ctx.g)
  body:close()
end

local function model_forward(body, ctx)
  local name = ctx.name
  body:line("")
  body:func("static void %s_forward(const %s *s, const %s *input, int n, int training)", name, ctx.d.state, ctx.g.T)
  local uses_training = false
  for _, node in ipairs(ctx.nodes) do uses_training = uses_training or node.module.uses_training end
  if not uses_training then body:line("(void)training; /* no layer of this model behaves differently in training */") end
  body:line("%s_load_input(s, input, n);", name)
  for i, node in ipairs(ctx.nodes) do
    timed(ctx.profile, body, i - 1, 0,
      string.format("%s_%s_forward(s, n%s);", name, node.ident, node.module.uses_training and ", training" or ""))
  end
  body:close()
end

local function model_backward(body, ctx)
  local name, g, layout = ctx.name, ctx.g, ctx.layout
  local written = layout.gradient_written
  body:line("")
  body:line("/* Call after %s_loss, which seeds the output gradient. */", name)
  body:func("static void %s_backward(const %s *s, int n, %s *d_input)", name, ctx.d.state, g.T)
  -- the first consumer of each tensor assigns its gradient (plan.gradient_writes) and the
  -- loss writes the output's: zero only the n images' part of a tensor that nothing consumes
  local input_consumed = false
  for p in pairs(written) do input_consumed = input_consumed or p.is_input == true end
  if not input_consumed then
    body:line("if (d_input) memset(s->dacts, 0, sizeof(%s) * (size_t)n * %d);", g.T, layout.input_size)
  end
  for _, node in ipairs(ctx.nodes) do
    if node.out_off ~= layout.output_off and not written[node] then
      body:line("memset(s->dacts + %d, 0, sizeof(%s) * (size_t)n * %d);", node.out_off, g.T, util.numel(node.out_shape))
    end
  end
  local need = needs_dx(ctx.nodes, body)
  for i = #ctx.nodes, 1, -1 do
    local node = ctx.nodes[i]
    timed(ctx.profile, body, i - 1, 1, string.format("%s_%s_backward(s, n, %s);", name, node.ident, need_dx_arg(node, need)))
  end
  body:line("if (d_input) %s_store_input_grad(s, d_input, n);", name)
  body:close()
end

-- The tensor table, the spec's learning-rate rules and the summary text.
local function tables(body, ctx)
  local name, settings = ctx.name, ctx.settings
  body:line("")
  body:open("static const nn_tensor %s_tensors[] = {", name)
  for _, p in ipairs(ctx.layout.tensors) do
    local dims = {}
    for i = 1, 4 do dims[i] = tostring(p.shape[i] or 0) end
    body:line('{ "%s", %d, { %s }, %d, %d, %s, %s, %d, %d },', p.name, #p.shape, table.concat(dims, ", "),
      p.offset, p.size, p.buffer and "NN_BUFFER" or (p.decay and "NN_TRAINABLE | NN_DECAY" or "NN_TRAINABLE"),
      INIT_ENUM[p.init], p.fan_in, p.fan_out)
  end
  body:close(";")
  if #settings.lr_rules > 0 then
    body:line("")
    body:line("/* the spec's freeze and lr_mult rules, applied before the command line's */")
    body:open("static const nn_lr_rule %s_lr_rules[] = {", name)
    for _, r in ipairs(settings.lr_rules) do body:line('{ "%s", %s },', r.pattern, ctx.g.dlit(r.mult)) end
    body:close(";")
  end
  body:line("")
  body:line("static const char %s_summary[] =", name)
  for i, line in ipairs(ctx.summary_lines) do
    body:line("    %s%s", c_string(line), i == #ctx.summary_lines and ";" or "")
  end
end

-- The model descriptor (runtime/nn_model.h) the trainer and the tests use.
local function descriptor(body, ctx)
  local name, settings, layout = ctx.name, ctx.settings, ctx.layout
  local input_dims = {}
  for i = 1, 3 do input_dims[i] = tostring(settings.input[i] or 0) end
  local fields = {
    { "name", '"' .. name .. '"' }, { "loss_name", '"' .. ctx.loss.op .. '"' }, { "summary", name .. "_summary" },
    { "batch", settings.batch }, { "input_rank", #settings.input },
    { "input_shape", "{ " .. table.concat(input_dims, ", ") .. " }" }, { "input_size", layout.input_size },
    { "output_size", layout.output_size }, { "output_offset", layout.output_off }, { "n_params", layout.params },
    { "n_acts", layout.acts }, { "n_work", layout.work }, { "n_index", layout.index },
    { "tensors", name .. "_tensors" }, { "n_tensors", #layout.tensors },
  }
  if #settings.lr_rules > 0 then
    fields[#fields + 1] = { "lr_rules", name .. "_lr_rules" }
    fields[#fields + 1] = { "n_lr_rules", #settings.lr_rules }
  end
  for _, f in ipairs({ { "total_params", ctx.total_params }, { "macs", ctx.total_macs }, { "forward", name .. "_forward" },
    { "loss", name .. "_loss" }, { "backward", name .. "_backward" } }) do
    fields[#fields + 1] = f
  end
  body:line("")
  body:open("const %s %s_model = {", ctx.d.model, name)
  for _, f in ipairs(fields) do body:line(".%s = %s,", f[1], tostring(f[2])) end
  body:close(";")
  if ctx.profile then
    body:line("")
    body:open("nn_profile_entry %s_profile[%d] = {", name, #ctx.nodes)
    for _, node in ipairs(ctx.nodes) do
      local from_input = #node.inputs == 1 and node.inputs[1].is_input
      body:line('{ .path = "%s", .desc = "%s", .macs = %d, .from_input = %d },', node.path, node.desc, node.macs,
        from_input and 1 or 0)
    end
    body:close(";")
  end
end

-- NAME.c up to the layers: includes, the scalar type and the helpers the layers use.
local function prelude(ctx)
  local g, state = ctx.g, ctx.d.state
  local c = writer.new()
  c:line("/* %s: generated by nncc from %s (%s); do not edit. */", ctx.name .. ".c", ctx.spec_path, g.T)
  c:line('#include "%s.h"', ctx.name)
  if ctx.profile then c:line("#define PROFILE_TABLE %s_profile", ctx.name) end
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
  c:line("/* The model's tensors, by layer path (emit/names.lua). */")
  for _, line in ipairs(ctx.pointers:defines()) do c:line(line) end
  c:line("")
  return c:text()
end

local function header_file(ctx)
  local name, upper = ctx.name, ctx.name:upper()
  local h = writer.new()
  h:line("/* %s: generated by nncc from %s (%s); do not edit. */", name .. ".h", ctx.spec_path, ctx.g.T)
  h:line("#ifndef %s_H", upper)
  h:line("#define %s_H", upper)
  h:line("")
  h:line('#include "nn_model.h"')
  if ctx.profile then h:line('#include "profile.h"') end
  h:line("")
  h:line("#define %s_BATCH %d", upper, ctx.settings.batch)
  h:line("#define %s_INPUT_SIZE %d", upper, ctx.layout.input_size)
  h:line("#define %s_OUTPUT_SIZE %d", upper, ctx.layout.output_size)
  h:line("#define %s_PARAMS %d", upper, ctx.total_params)
  h:line("")
  h:line("extern const %s %s_model;", ctx.d.model, name)
  if ctx.profile then
    h:line("#define %s_PROFILE_LAYERS %d", upper, #ctx.nodes)
    h:line("extern nn_profile_entry %s_profile[%d]; /* --profile: time per layer and direction */", name, #ctx.nodes)
  end
  h:line("")
  h:line("#endif")
  return h:text()
end

local function main_file(ctx)
  local m = writer.new()
  m:line("/* %s: generated by nncc from %s; do not edit. */", ctx.name .. "_main.c", ctx.spec_path)
  m:line('#include "%s.h"', ctx.name)
  m:line('#include "train.h"')
  m:line("")
  m:func("int main(int argc, char **argv)")
  m:line("return nn_train_main(&%s_model, argc, argv);", ctx.name)
  m:close()
  return m:text()
end

-- The files of a planned model: { { file name, text }, ... }.
-- ctx: nodes, loss, settings, layout (plan.lua), summary_lines, spec_path, dtype, profile.
function emit.generate(ctx)
  ctx.pointers = names.new(ctx.nodes, ctx.layout)
  ctx.g, ctx.d = context(ctx.dtype, ctx.pointers)
  ctx.name = ctx.settings.name
  ctx.total_params, ctx.total_macs = summary.totals(ctx.nodes)
  local body = writer.new()
  input_layout(body, ctx)
  layer_functions(body, ctx)
  model_forward(body, ctx)
  model_backward(body, ctx)
  tables(body, ctx)
  descriptor(body, ctx)
  local files = { { ctx.name .. ".h", header_file(ctx) }, { ctx.name .. ".c", prelude(ctx) .. body:text() } }
  if ctx.dtype == "float" then files[#files + 1] = { ctx.name .. "_main.c", main_file(ctx) } end
  return files
end

return emit
