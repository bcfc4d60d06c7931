return network{ input = { 2, 4, 5 }, batch = 3, relu{}, flatten{}, loss = mse{} }
