return network{ input = { 3, 7 }, batch = 3, global_avgpool{}, loss = mse{} }
