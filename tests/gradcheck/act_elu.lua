-- elu on both sides of 0, with a non-default alpha, before a linear layer so
-- that the gradient reaching it is not the loss's alone.
return network{ input = { 2, 4, 5 }, batch = 3, elu{ alpha = 0.7 }, flatten{}, linear{ 6 }, elu{}, loss = mse{} }
