return network{ input = { 6 }, batch = 3, linear{ 5 }, loss = softmax_cross_entropy{ smoothing = 0.1 } }
