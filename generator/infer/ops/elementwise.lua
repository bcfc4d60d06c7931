-- Steps that map each value alone: an activation with no producer to fuse
-- into (its own node first in the chain) and a batchnorm with no convolution
-- or linear layer to fold into (a per-channel scale and shift, computed in
-- double and rounded once), each with the activations fused after it.
local elementwise = {}

function elementwise.emit_act(step, w, c)
  local chain = { step.node }
  for _, node in ipairs(step.epilogue) do chain[#chain + 1] = node end
  w:line("const float *restrict x = %s;", c.arena(step.ins[1]))
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:line("for (int i = 0; i < %d; ++i) { float s = x[i]; %s y[i] = s; }", step.out.size, c.epilogue(chain, "s"))
end

function elementwise.emit_affine(step, w, c)
  local bn = step.node.bn
  w:line("const float *restrict x = %s;", c.arena(step.ins[1]))
  w:line("float *restrict y = %s;", c.arena(step.out))
  w:line("const float *restrict scale = %s, *restrict shift = %s;", c.weight(step.w_off), c.weight(step.b_off))
  w:open("for (int ch = 0; ch < %d; ++ch) {", bn.C)
  w:line("for (int j = 0; j < %d; ++j) { float s = x[ch * %d + j] * scale[ch] + shift[ch]; %s y[ch * %d + j] = s; }",
    bn.S, bn.S, c.epilogue(step.epilogue, "s"), bn.S)
  w:close()
end

return elementwise
