-- expect: tests/spec_errors/linear_wider_than_blas.lua:4: layer 0 (linear 4->2147483648): out features 2,147,483,648 is more than BLAS's int arguments hold (2,147,483,647)
-- 2^31 output features: one more than BLAS's int dimensions hold
return network{ input = { 4 },
  linear{ 2^31 }, loss = mse{} }
