-- expect: tests/hostile_specs/linear_features_nan.lua:3: layer 0 (linear): 'out features' must be an integer >= 1, got 
-- linear{0/0}
return network{ input = { 4 }, linear{ 0/0 }, loss = mse{} }
