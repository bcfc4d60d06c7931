-- expect: tests/spec_errors/linear_too_wide.lua:4: layer 0 (linear 3072->1099511627776): out features 1,099,511,627,776 is more than BLAS's int arguments hold (2,147,483,647)
-- linear{2^40} on 3072 features: 3,378,799,232,155,648 weights, and a BLAS dimension past int
return network{ input = { 3072 },
  linear{ 2^40 }, loss = mse{} }
