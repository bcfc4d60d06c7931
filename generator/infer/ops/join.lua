-- add (the sum of its inputs, in order, then the fused activations) and
-- concat (each input one contiguous block of channels) for one record.
local join = {}

function join.emit_add(step, w, c)
  local terms = {}
  for i, v in ipairs(step.ins) do
    w:line("const float *restrict x%d = %s;", i - 1, c.arena(v))
    terms[i] = string.format("x%d[i]", i - 1)
  end
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:line("for (int i = 0; i < %d; ++i) { float s = %s; %s y[i] = s; }", step.out.size, table.concat(terms, " + "),
    c.epilogue(step.epilogue, "s"))
end

function join.emit_concat(step, w, c)
  w:line("float *restrict y = %s;", c.arena(step.out))
  local at = 0
  for i, v in ipairs(step.ins) do
    w:line("{ const float *restrict x%d = %s; for (int i = 0; i < %d; ++i) y[%d + i] = x%d[i]; }", i - 1, c.arena(v),
      v.size, at, i - 1)
    at = at + v.size
  end
end

function join.emit_softmax(step, w, c)
  local K = step.out.size
  w:line("const float *restrict x = %s;", c.arena(step.ins[1]))
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:line("float m = x[0], sum = 0.0f;")
  w:line("for (int k = 1; k < %d; ++k) if (x[k] > m) m = x[k];", K)
  w:line("for (int k = 0; k < %d; ++k) { y[k] = expf(x[k] - m); sum += y[k]; }", K)
  w:line("for (int k = 0; k < %d; ++k) y[k] /= sum;", K)
end

return join
