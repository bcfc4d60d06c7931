-- linear for one record: y = bias + sum over i of x[i] * W[:, i], with the
-- weights stored transposed (row i holds every output's weight for x[i]), so
-- that the inner loop runs over outputs and vectorizes without reassociating
-- a sum. Each output adds its terms in input order.
local linear = {}

function linear.emit(step, w, c)
  local f = step.node.fc
  w:line("const float *restrict x = %s;", c.arena(step.ins[1]))
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:line("const float *restrict wt = %s, *restrict bias = %s;", c.weight(step.w_off), c.weight(step.b_off))
  w:line("for (int o = 0; o < %d; ++o) y[o] = bias[o];", f.fout)
  w:open("for (int i = 0; i < %d; ++i) {", f.fin)
  w:line("const float v = x[i];")
  w:line("const float *restrict wr = wt + (size_t)i * %d;", f.fout)
  w:line("for (int o = 0; o < %d; ++o) y[o] += v * wr[o];", f.fout)
  w:close()
  if #step.epilogue > 0 then
    w:line("for (int o = 0; o < %d; ++o) { float s = y[o]; %s y[o] = s; }", f.fout, c.epilogue(step.epilogue, "s"))
  end
end

-- The weights transposed, [fin][fout].
function linear.weights(step)
  local f, out = step.node.fc, {}
  for o = 0, f.fout - 1 do
    for i = 0, f.fin - 1 do out[i * f.fout + o + 1] = step.w[o * f.fin + i + 1] end
  end
  return out
end

return linear
