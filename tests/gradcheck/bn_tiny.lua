-- batch norm on 2 channels of 1x3 (also the running-statistics example of tests/test_batchnorm.c)
return network{ input = { 2, 1, 3 }, batch = 2, batchnorm{}, flatten{}, loss = mse{} }
