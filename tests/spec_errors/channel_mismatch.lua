-- expect: tests/spec_errors/channel_mismatch.lua:3: layer 0 (rows_as_sequence): input 3x8x8 has 3 channels; rows_as_sequence reads a one-channel image
return network{ input = { 3, 8, 8 },
  rows_as_sequence{}, conv1d{ 4, k = 3 }, flatten{}, loss = mse{} }
