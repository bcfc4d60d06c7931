-- expect: tests/hostile_specs/batchnorm_eps_zero.lua:3: layer 0 (batchnorm): 'eps' must be a number in (0, 1], got 0 (1/sqrt(var + eps) must stay finite)
-- batchnorm{eps = 0}
return network{ input = { 3, 8, 8 }, batchnorm{ eps = 0 }, flatten{}, loss = mse{} }
