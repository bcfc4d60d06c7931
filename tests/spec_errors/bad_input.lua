-- expect: tests/spec_errors/bad_input.lua:2: network: input dimension 1 must be a positive integer, got 0
return network{ input = { 0, 28 },
  flatten{}, loss = mse{} }
