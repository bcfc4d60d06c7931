-- a whole small 1-D net over image rows
return network{ input = { 1, 6, 7 }, batch = 3,
  rows_as_sequence{}, conv1d{ 4, k = 3, pad = "same" }, relu{}, maxpool1d{ 2 },
  conv1d{ 3, k = 3 }, flatten{}, linear{ 3 },
  loss = binary_cross_entropy{} }
