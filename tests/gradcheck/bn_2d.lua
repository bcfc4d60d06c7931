-- batch norm over the channels of an image (BatchNorm2d)
return network{ input = { 3, 4, 5 }, batch = 4, batchnorm{}, flatten{}, loss = mse{} }
