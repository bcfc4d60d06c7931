-- expect: tests/spec_errors/conv_input_too_large.lua:3: network: input 100000x100000x100000 has more than 2,147,483,647 values per image (the generated C indexes them with int)
-- a 10^15-value input: its MAC count would pass 2^63 and wrap
return network{ input = { 100000, 100000, 100000 },
  conv2d{ 100000, k = 3 }, flatten{}, loss = mse{} }
