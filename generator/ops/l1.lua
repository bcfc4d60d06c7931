-- l1{}: mean over every output of |z - t|; the gradient at z == t is 0.
return require("ops.loss_core").op{
  term = function(g)
    return {
      string.format("const %s d = z[i] - target[i];", g.T),
      string.format("total += (double)%s(d);", g.fn("fabs")),
      string.format("dz[i] = (d > %s ? scale : d < %s ? -scale : %s);", g.zero, g.zero, g.zero),
    }
  end,
}
