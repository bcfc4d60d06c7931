return network{ input = { 3, 4, 5 }, batch = 3, global_avgpool{}, loss = mse{} }
