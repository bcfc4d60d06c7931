-- expect: tests/hostile_specs/forged_loss.lua:3: network: loss must be one of softmax_cross_entropy, binary_cross_entropy, mse, l1
-- a table dressed as the loss
return network{ input = { 4 }, linear{ 2 }, loss = { kind = "layer", op = "mse", args = {} } }
