return network{ input = { 2, 4, 5 }, batch = 3, leaky_relu{ slope = 0.1 }, flatten{}, loss = mse{} }
