-- The inference library's two files: NAME_infer.h (the API, the input's
-- layout and normalization) and NAME_infer.c (the weights, the arena, one
-- function per step, NAME_predict). C99; freestanding but for libm (expf,
-- tanhf, expm1f where the network uses them) and, in weights-file mode, the
-- loader, which needs stdio and is left out where __STDC_HOSTED__ is 0.
local writer = require("emit.writer")
local conv = require("infer.ops.conv")
local linear = require("infer.ops.linear")
local pool = require("infer.ops.pool")
local elementwise = require("infer.ops.elementwise")
local join = require("infer.ops.join")
local util = require("ops.util")
local weights = require("infer.weights")

local emit = {}

local EMIT = {
  conv = conv.emit, linear = linear.emit, maxpool = pool.emit, avgpool = pool.emit, gap = pool.emit_global,
  act = elementwise.emit_act, affine = elementwise.emit_affine, add = join.emit_add, concat = join.emit_concat,
  softmax = join.emit_softmax,
}

local function describe(step)
  local names = { step.node.path .. " (" .. (step.desc or step.node.op) }
  for _, node in ipairs(step.epilogue) do names[#names + 1] = " + " .. node.op end
  return table.concat(names) .. ")"
end

local function step_functions(m, w, c)
  for i, step in ipairs(m.steps) do
    step.index = i
    if step.kind == "conv" then conv.helpers(step, w) end
    w:line("/* %s:%d: %s | %s -> %s */", step.node.file, step.node.line or 0, describe(step),
      util.shape_str(step.ins[1].shape or { step.ins[1].size }), util.shape_str(step.out.shape))
    w:func("static void step_%d(void)", i)
    EMIT[step.kind](step, w, c)
    w:close()
    w:line("")
  end
end

local function loader(m, w)
  local P = m.name
  w:line("#if defined(__STDC_HOSTED__) && __STDC_HOSTED__")
  w:line("#include <stdio.h>")
  w:line("")
  w:func("int %s_load_weights(const char *path)", P)
  w:line("static const char magic[8] = { %s };", ("'" .. weights.MAGIC:gsub(".", "%0', '")):sub(1, -4))
  w:line("unsigned char head[16];")
  w:line("FILE *f = fopen(path, \"rb\");")
  w:line("if (!f) return -1;")
  w:line("int ok = fread(head, 1, sizeof head, f) == sizeof head;")
  w:line("for (int i = 0; i < 8; ++i) ok = ok && head[i] == (unsigned char)magic[i];")
  w:line("const unsigned long count = head[8] | (unsigned long)head[9] << 8 | (unsigned long)head[10] << 16 |")
  w:line("    (unsigned long)head[11] << 24;")
  w:line("float one = 0.0f;")
  w:line("for (int i = 0; i < 4; ++i) ((unsigned char *)&one)[i] = head[12 + i];")
  w:line("ok = ok && count == %dUL && one == 1.0f && fread(W, sizeof(float), %d, f) == %d && fgetc(f) == EOF;",
    m.wcount, m.wcount, m.wcount)
  w:line("fclose(f);")
  w:line("ready = ok;")
  w:line("return ok ? 0 : -1;")
  w:close()
  w:line("#endif")
  w:line("")
  w:func("float *%s_weights(void)", P)
  w:line("ready = 1;")
  w:line("return W;")
  w:close()
  w:line("")
end

local function normalize(m, w, c)
  local means, invs = {}, {}
  for i = 1, #m.mean do
    means[i] = c.lit(string.unpack("<f", string.pack("<f", m.mean[i])))
    invs[i] = c.lit(string.unpack("<f", string.pack("<f", 1.0 / m.std[i])))
  end
  w:line("static const float mean[%d] = { %s };", #means, table.concat(means, ", "))
  w:line("static const float inv_std[%d] = { %s };", #invs, table.concat(invs, ", "))
  w:line("float *restrict x = %s;", c.arena(m.input))
  w:open("for (int ch = 0; ch < %d; ++ch) {", #means)
  w:line("for (int j = 0; j < %d; ++j) x[ch * %d + j] = (input[ch * %d + j] - mean[ch]) * inv_std[ch];", m.plane,
    m.plane, m.plane)
  w:close()
end

local function predict(m, w, c)
  local P = m.name
  w:func("int %s_predict(const float *input, float *output)", P)
  if m.weights_file then w:line("if (!ready) return -1;") end
  normalize(m, w, c)
  for i = 1, #m.steps do w:line("step_%d();", i) end
  w:line("const float *restrict y = %s;", c.arena(m.output))
  if m.output.size == 1 then -- one logit: a binary classifier, as --predict reads it
    w:line("output[0] = y[0];")
    w:line("return y[0] > 0.0f;")
  else
    w:line("int top = 0;")
    w:open("for (int k = 0; k < %d; ++k) {", m.output.size)
    w:line("output[k] = y[k];")
    w:line("if (y[k] > y[top]) top = k;")
    w:close()
    w:line("return top;")
  end
  w:close()
  w:line("")
  w:func("int %s_predict_batch(const float *input, float *output, int n)", P)
  w:open("for (int i = 0; i < n; ++i) {")
  w:line("if (%s_predict(input + (size_t)i * %d, output + (size_t)i * %d) < 0) return -1;", P, m.input.size,
    m.output.size)
  w:close()
  w:line("return 0;")
  w:close()
end

function emit.source(m, c)
  local w = writer.new()
  w:line("/* %s_infer.c: the evaluation-mode forward of %s with the weights of %s,", m.name, m.spec_path,
    m.ckpt_name)
  w:line(" * written by nncc (generator/main.lua --infer). Do not edit; the API is in %s_infer.h. */", m.name)
  w:line("#include \"%s_infer.h\"", m.name)
  w:line("")
  w:line("#include <float.h>")
  w:line("#include <math.h>")
  w:line("#include <stddef.h>")
  w:line("")
  w:line("/* scratch: every intermediate value at an offset fixed at export time (infer/memory.lua) */")
  w:line("static float A[%d];", math.max(m.arena, 1))
  local parts = { w:text() }
  w = writer.new()
  if m.weights_file then
    w:line("static float W[%d];", m.wcount)
    w:line("static int ready;")
    w:line("")
    loader(m, w)
  else
    parts[2] = string.format("static const float W[%d] = {\n%s\n};\n\n", m.wcount, m.initializer)
  end
  step_functions(m, w, c)
  predict(m, w, c)
  parts[#parts + 1] = w:text()
  return table.concat(parts)
end

function emit.header(m)
  local P, U = m.name, m.name:upper()
  local shape = m.input.shape
  local lines = {
    string.format("/* %s_infer.h: %s's evaluation-mode forward, exported from %s by nncc.", P, m.spec_path,
      m.ckpt_name),
    " *",
    string.format(" * Input: one record of %s floats, %s (channel-major), raw values as the", util.shape_str(shape),
      #shape == 3 and "C x H x W" or "in the spec's layout"),
    string.format(" * trainer reads them: pixels scaled to [0, 1] (byte / 255.0f). %s_predict normalizes them", P),
    string.format(" * with the checkpoint's per-channel mean and std (%s; %s), as --predict does.", m.mean_text,
      m.std_text),
    string.format(" * Output: the %d outputs of the last layer (logits for a softmax cross-entropy model:",
      m.output.size),
    " * --predict's probabilities are their softmax). Batchnorm is folded into the layer before it,",
    " * dropout is gone. Not reentrant: the scratch memory is one static array. */",
    string.format("#ifndef %s_INFER_H", U),
    string.format("#define %s_INFER_H", U),
    "",
    string.format("#define %s_INPUT_SIZE %d", U, m.input.size),
    string.format("#define %s_OUTPUT_SIZE %d", U, m.output.size),
    string.format("#define %s_WEIGHT_COUNT %d", U, m.wcount),
    "",
    "/* Writes the outputs of one record; returns the index of the largest (the class; with one output,",
    " * whether it is positive), or -1 when the weights are not loaded (weights-file mode). */",
    string.format("int %s_predict(const float *input, float *output);", P),
    string.format("/* n records one after the other; 0, or -1 as %s_predict. */", P),
    string.format("int %s_predict_batch(const float *input, float *output, int n);", P),
  }
  if m.weights_file then
    for _, l in ipairs({
      "",
      string.format("/* Weights-file mode: %s_load_weights reads the blob the export wrote (0, or -1 if it cannot", P),
      " * be read or is not this model's; needs stdio, so only on hosted targets). Elsewhere, copy the",
      string.format(" * blob's floats (after its 16-byte header) into %s_weights() before predicting. */", P),
      "#if defined(__STDC_HOSTED__) && __STDC_HOSTED__",
      string.format("int %s_load_weights(const char *path);", P),
      "#endif",
      string.format("float *%s_weights(void);", P),
    }) do lines[#lines + 1] = l end
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = string.format("#endif /* %s_INFER_H */", U)
  return table.concat(lines, "\n") .. "\n"
end

return emit
