-- relu6 on both sides of 0 and of 6: eight copies of the input added give values
-- past 6; a linear layer after it so that the gradient reaching it is not the loss's alone.
local copies = {}
for i = 1, 8 do copies[i] = seq{} end
return network{ input = { 2, 4, 5 }, batch = 3,
  add(copies), relu6{}, flatten{}, linear{ 6 }, relu6{}, loss = mse{} }
