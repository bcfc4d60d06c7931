-- elementwise sum of three branches
return network{ input = { 2, 4, 4 }, batch = 3,
  add{ conv2d{ 3, k = 1 }, conv2d{ 3, k = 3, pad = 1 }, seq{ conv2d{ 3, k = 1, bias = false }, relu{} } },
  flatten{}, loss = mse{} }
