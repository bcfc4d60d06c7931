return network{ input = { 6 }, batch = 3, linear{ 5 }, loss = binary_cross_entropy{} }
