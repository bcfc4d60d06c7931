-- linear{out_features, bias = true, init, bias_init}: y[n][out] = x[n][in] w^T + b
-- GEMM over the batch; for one image (batch-1 training, inference) the
-- matrix-vector and rank-1 routines, which OpenBLAS does several times faster
-- than a GEMM with one row, or the fused update below.
local errors = require("errors")
local util = require("ops.util")

local op = { positional = { "out features" }, keys = { "bias", "init", "bias_init" } }

function op.infer(node, shape)
  if #shape ~= 1 then
    errors.layer_fail(node, "input %s is not a vector; add flatten{} or global_avgpool{} before it",
      util.shape_str(shape))
  end
  local a = node.args
  if a[1] == nil then errors.layer_fail(node, "missing the number of output features: write linear{10}") end
  local out = util.int(node, "out features", a[1], 1, math.maxinteger)
  local bias = true
  if a.bias ~= nil then bias = util.bool(node, "bias", a.bias) end
  node.fc = { fin = shape[1], fout = out, bias = bias }
  node.desc = string.format("linear %d->%d", shape[1], out)
  node.params = util.weight_and_bias(node, bias,
    { out, shape[1] }, shape[1], out)
  node.macs = shape[1] * out
  node.blas = { { "in features", shape[1] }, { "out features", out } }
  return { out }
end

function op.forward(node, w, g)
  local f = node.fc
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("const %s *w = %s;", g.T, g.params(node.p.weight))
  if f.bias then w:line("const %s *b = %s;", g.T, g.params(node.p.bias)) end
  w:line("%s *y = %s;", g.T, g.acts(node.out_off))
  w:open("if (n == 1) {")
  w:line("%s(CblasRowMajor, CblasNoTrans, %d, %d, %s, w, %d, x, 1, %s, y, 1);", g.gemv, f.fout, f.fin, g.one, f.fin, g.zero)
  w:middle("} else {")
  w:line("%s(CblasRowMajor, CblasNoTrans, CblasTrans, n, %d, %d, %s, x, %d, w, %d, %s, y, %d);",
    g.gemm, f.fout, f.fin, g.one, f.fin, f.fin, g.zero, f.fout)
  w:close()
  if f.bias then
    w:line("add_bias_cols(y, b, n, %d);", f.fout)
  end
end

-- At batch 1 with the trainer's optimizer step fused (float models; runtime/optim.h), the
-- weight's gradient is never stored: outer_update hands it to the optimizer row by row. The
-- input gradient comes first, as it reads the weights before their update.
function op.backward(node, w, g)
  local f = node.fc
  local fusable = g.T == "float"
  local weight = util.tensor_index(node, "weight")
  w:line("const %s *x = %s;", g.T, g.acts(node.in_off))
  w:line("%s%s *w = %s;", fusable and "" or "const ", g.T, g.params(node.p.weight))
  w:line("const %s *dy = %s;", g.T, g.dacts(node.out_off))
  w:line("%s *dw = %s;", g.T, g.grads(node.p.weight))
  if f.bias then w:line("%s *db = %s;", g.T, g.grads(node.p.bias)) end
  w:line("%s *dx = %s;", g.T, g.dacts(node.in_off))
  w:open("if (need_dx && n == 1) {")
  w:line("%s(CblasRowMajor, CblasTrans, %d, %d, %s, w, %d, dy, 1, %s, dx, 1);", g.gemv, f.fout, f.fin, g.one, f.fin,
    util.dx_beta(node, g))
  w:middle("} else if (need_dx) {")
  w:line("%s(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, %d, %d, %s, dy, %d, w, %d, %s, dx, %d);",
    g.gemm, f.fin, f.fout, g.one, f.fout, f.fin, util.dx_beta(node, g), f.fin)
  w:close()
  if fusable then
    w:open("if (n == 1 && s->fuse && trains(s, %d)) {", weight)
    w:line("outer_update(s->fuse, %d, w, dy, x, %d, %d);", weight, f.fout, f.fin)
    w:middle("} else if (trains(s, %d)) {", weight)
  else
    w:open("if (trains(s, %d)) {", weight)
  end
  w:open("if (n == 1 && !%s) {", util.ACCUMULATE)
  w:line("outer(dw, dy, x, %d, %d);", f.fout, f.fin)
  w:middle("} else if (n == 1) {")
  w:line("%s(CblasRowMajor, %d, %d, %s, dy, 1, x, 1, dw, %d);", g.ger, f.fout, f.fin, g.one, f.fin)
  w:middle("} else {")
  w:line("%s(CblasRowMajor, CblasTrans, CblasNoTrans, %d, %d, n, %s, dy, %d, x, %d, %s, dw, %d);",
    g.gemm, f.fout, f.fin, g.one, f.fout, f.fin, util.GRAD_BETA, f.fin)
  w:close()
  w:close()
  if f.bias then
    w:line("if (%s) sum_cols(db, dy, n, %d, %s);", util.trains(node, "bias"), f.fout, util.ACCUMULATE)
  end
end

function op.strategy() return "gemm; gemv at batch 1" end

return op
