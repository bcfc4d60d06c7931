-- inverted dropout (masks fixed by re-seeding the RNG for every evaluation)
return network{ input = { 2, 3, 4 }, batch = 3, conv2d{ 3, k = 1 }, dropout{ 0.4 }, flatten{}, loss = mse{} }
