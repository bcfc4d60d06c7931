-- concatenation of vector branches
return network{ input = { 5 }, batch = 3, concat{ linear{ 3 }, seq{ linear{ 2 }, tanh{} } }, linear{ 2 }, loss = mse{} }
