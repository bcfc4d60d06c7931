return network{ input = { 6 }, batch = 3, linear{ 5 }, loss = mse{} }
