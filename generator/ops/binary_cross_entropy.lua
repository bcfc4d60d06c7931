-- binary_cross_entropy{}: on logits, mean over every output, in the stable form
-- max(z, 0) - z t + log(1 + exp(-|z|)); dL/dz = sigmoid(z) - t.
return require("ops.loss_core").op{
  not_after = "sigmoid",
  term = function(g)
    local exp, log1p, fabs = g.fn("exp"), g.fn("log1p"), g.fn("fabs")
    return {
      string.format("const %s zi = z[i], ti = target[i], e = %s(-%s(zi));", g.T, exp, fabs),
      string.format("total += (double)((zi > %s ? zi : %s) - zi * ti + %s(e));", g.zero, g.zero, log1p),
      string.format("const %s p = zi >= %s ? %s / (%s + e) : e / (%s + e);", g.T, g.zero, g.one, g.one, g.one),
      "dz[i] = (p - ti) * scale;",
    }
  end,
}
