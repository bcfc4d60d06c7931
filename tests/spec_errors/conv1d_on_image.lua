-- expect: tests/spec_errors/conv1d_on_image.lua:3: layer block.conv (conv1d): input 1x8x8 is not a sequence (channels x length); conv1d needs 2 dimensions
return network{ input = { 1, 8, 8 },
  seq{ name = "block", conv1d{ 4, k = 3, name = "conv" } }, flatten{}, loss = mse{} }
