-- DropBlock straight on the input (also measured by tests/test_dropblock.c)
return network{ input = { 3, 16, 16 }, batch = 8, dropblock{ 0.1, block = 3 }, flatten{}, loss = mse{} }
