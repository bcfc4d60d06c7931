-- concatenation of branches with 2, 3 and 1 channels, one of them the input itself
return network{ input = { 2, 5, 4 }, batch = 3,
  concat{ conv2d{ 2, k = 1 }, seq{ conv2d{ 3, k = { 3, 1 }, pad = { 1, 0 } }, sigmoid{} }, seq{} , avgpool2d{ 3, stride = 1, pad = 1 } },
  flatten{}, loss = mse{} }
