-- batch norm over the features of a vector (BatchNorm1d on N x F)
return network{ input = { 6 }, batch = 8, linear{ 4, bias = false }, batchnorm{ momentum = 0.2 }, linear{ 3 }, loss = mse{} }
