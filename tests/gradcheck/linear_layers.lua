-- linear with and without bias
return network{ input = { 5 }, batch = 3, linear{ 4 }, linear{ 3, bias = false }, loss = mse{} }
