-- a whole mini inception net: 1x1, 1x1->3x1->1x3, 1x1->(3x1->1x3)x2 and pool->1x1 branches, BN, dropout
local function conv_bn(c, k, pad)
  return seq{ conv2d{ c, k = k, pad = pad or 0, bias = false }, batchnorm{}, relu{} }
end
return network{ input = { 3, 6, 6 }, batch = 4,
  conv_bn(4, 3, 1),
  concat{ name = "mixed",
    conv_bn(2, 1),
    seq{ conv_bn(2, 1), conv_bn(2, { 3, 1 }, { 1, 0 }), conv_bn(3, { 1, 3 }, { 0, 1 }) },
    seq{ conv_bn(2, 1), conv_bn(2, { 3, 1 }, { 1, 0 }), conv_bn(2, { 1, 3 }, { 0, 1 }),
         conv_bn(2, { 3, 1 }, { 1, 0 }), conv_bn(2, { 1, 3 }, { 0, 1 }) },
    seq{ maxpool2d{ 3, stride = 1, pad = 1 }, conv_bn(2, 1) } },
  global_avgpool{}, dropout{ 0.2 }, linear{ 3 },
  loss = softmax_cross_entropy{} }
