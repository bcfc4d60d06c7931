-- softmax_cross_entropy{smoothing = 0}: L = mean_i sum_k -t'_ik log softmax(z_i)_k
-- with t' = (1 - smoothing) t + smoothing / K (label smoothing, as PyTorch).
local util = require("ops.util")

return require("ops.loss_core").op{
  keys = { "smoothing" },
  not_after = "softmax",
  setup = function(node)
    node.smoothing = util.number(node, "smoothing", node.args.smoothing or 0, 0, 1)
  end,
  describe = function(node)
    return node.smoothing > 0 and string.format("softmax_cross_entropy, smoothing %g", node.smoothing)
      or "softmax_cross_entropy"
  end,
  emit = function(node, w, g)
    local K = node.features
    local exp, log = g.fn("exp"), g.fn("log")
    w:open("for (int i = 0; i < n; ++i) {")
    w:line("const %s *zi = z + (size_t)i * %d, *ti = target + (size_t)i * %d;", g.T, K, K)
    w:line("%s *dzi = dz + (size_t)i * %d;", g.T, K)
    w:line("%s m = zi[0], sum = %s, tsum = %s;", g.T, g.zero, g.zero)
    w:line("for (int k = 1; k < %d; ++k) if (zi[k] > m) m = zi[k];", K)
    w:line("for (int k = 0; k < %d; ++k) sum += %s(zi[k] - m);", K, exp)
    w:line("const %s lse = m + %s(sum);", g.T, log)
    w:open("for (int k = 0; k < %d; ++k) {", K)
    if node.smoothing > 0 then
      w:line("const %s t = %s * ti[k] + %s;", g.T, g.lit(1 - node.smoothing), g.lit(node.smoothing / K))
    else
      w:line("const %s t = ti[k];", g.T)
    end
    w:line("total += (double)(t * (lse - zi[k]));")
    w:line("tsum += t;")
    w:close()
    w:line("for (int k = 0; k < %d; ++k) dzi[k] = %s(zi[k] - lse) * tsum;", K, exp)
    w:open("for (int k = 0; k < %d; ++k) {", K)
    if node.smoothing > 0 then
      w:line("dzi[k] = (dzi[k] - (%s * ti[k] + %s)) / (%s)n;", g.lit(1 - node.smoothing), g.lit(node.smoothing / K), g.T)
    else
      w:line("dzi[k] = (dzi[k] - ti[k]) / (%s)n;", g.T)
    end
    w:close()
    w:close()
  end,
}
