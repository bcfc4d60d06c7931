-- expect: tests/spec_errors/dropblock_too_large.lua:2: layer 0 (dropblock): block 5 is larger than the input 2x4x4
return network{ input = { 2, 4, 4 }, dropblock{ 0.1, block = 5 },
  flatten{}, loss = mse{} }
