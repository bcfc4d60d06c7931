-- expect: tests/hostile_specs/linear_features_past_integers.lua:3: layer 0 (linear): 'out features' must be at most 9,223,372,036,854,775,807, got 9.2233720368548e+18
-- linear{2^63}: past Lua's integers (linear{2^31} and {2^40} are in tests/spec_errors)
return network{ input = { 4 }, linear{ 2^63 }, loss = mse{} }
