-- expect: tests/spec_errors/conv_output_too_large.lua:4: layer 0 (conv2d 1x1): output 2x46000x46000 has more than 2,147,483,647 values per image (the generated C indexes them with int)
-- a 2,116,000,000-value input fits an int index, its two-channel output does not
return network{ input = { 1, 46000, 46000 }, batch = 1,
  conv2d{ 2, k = 1 }, flatten{}, loss = mse{} }
