-- DropBlock (masks fixed by re-seeding the RNG for every evaluation)
return network{ input = { 2, 8, 7 }, batch = 3, conv2d{ 3, k = 1 }, dropblock{ 0.3, block = 3 }, flatten{}, loss = mse{} }
