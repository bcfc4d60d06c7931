-- an image read as a sequence of rows, then conv1d
return network{ input = { 1, 5, 6 }, batch = 3, rows_as_sequence{}, conv1d{ 3, k = 3 }, flatten{}, loss = mse{} }
