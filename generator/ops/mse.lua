-- mse{}: mean over every output of (z - t)^2.
return require("ops.loss_core").op{
  term = function(g)
    return {
      string.format("const %s d = z[i] - target[i];", g.T),
      "total += (double)(d * d);",
      string.format("dz[i] = %s * d * scale;", g.lit(2)),
    }
  end,
}
