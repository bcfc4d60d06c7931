-- expect: tests/spec_errors/unknown_op.lua:3: unknown name 'conv3d' (a spec can use: network, seq, residual, concat, add, conv2d,
return network{ input = { 1, 8, 8 },
  conv3d{ 4, k = 3 }, flatten{}, loss = mse{} }
