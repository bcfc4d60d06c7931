-- softmax as an output layer, under a loss that does not apply it again
return network{ input = { 6 }, batch = 3, linear{ 5 }, softmax{}, loss = mse{} }
