-- expect: tests/spec_errors/linear_weight_too_large.lua:4: layer 0 (linear 65536->65536): weight 65536x65536 has more than 2,147,483,647 values (the generated C indexes them with int)
-- both dimensions fit BLAS, but the weight's 2^32 values do not fit an int index
return network{ input = { 65536 },
  linear{ 65536 }, loss = mse{} }
