-- expect: tests/spec_errors/unknown_network_key.lua:2: network: unknown key 'inputs' (known keys: name, input, batch, loss, classes, freeze, lr_mult)
return network{ inputs = { 4 },
  linear{ 3 }, loss = mse{} }
