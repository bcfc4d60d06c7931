-- expect: tests/spec_errors/linear_on_image.lua:3: layer 1 (linear): input 4x6x6 is not a vector; add flatten{} or global_avgpool{} before it
return network{ input = { 1, 8, 8 },
  conv2d{ 4, k = 3 }, linear{ 10 }, loss = mse{} }
