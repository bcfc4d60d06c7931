-- batch norm over the channels of a sequence (BatchNorm1d on N x C x L)
return network{ input = { 3, 7 }, batch = 4, batchnorm{ eps = 1e-3 }, flatten{}, loss = mse{} }
