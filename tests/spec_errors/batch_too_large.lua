-- expect: tests/spec_errors/batch_too_large.lua:3: network: batch must be at most 2,147,483,647 (the generated C counts images with int), got 2147483648
-- forward takes the number of images as an int
return network{ input = { 4 }, batch = 1 << 31,
  linear{ 2 }, loss = mse{} }
