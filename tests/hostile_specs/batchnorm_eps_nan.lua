-- expect: tests/hostile_specs/batchnorm_eps_nan.lua:3: layer 0 (batchnorm): 'eps' must be a number in [0, 1], got 
-- batchnorm{eps = 0/0}
return network{ input = { 3, 8, 8 }, batchnorm{ eps = 0/0 }, flatten{}, loss = mse{} }
