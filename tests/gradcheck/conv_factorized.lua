-- 3x1 then 1x3 convolutions with "same" padding
return network{ input = { 2, 6, 5 }, batch = 3,
  conv2d{ 3, k = { 3, 1 }, pad = "same" }, conv2d{ 2, k = { 1, 3 }, pad = "same" }, flatten{}, loss = mse{} }
