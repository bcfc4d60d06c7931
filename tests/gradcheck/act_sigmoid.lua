return network{ input = { 2, 4, 5 }, batch = 3, sigmoid{}, flatten{}, loss = mse{} }
