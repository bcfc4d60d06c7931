-- expect: tests/spec_errors/concat_spatial_mismatch.lua:3: layer mixed (concat): branch 1 gives 4x4x4 but branch 0 gives 4x8x8; concatenated branches must agree on all but the channels
return network{ input = { 3, 8, 8 },
  concat{ name = "mixed", conv2d{ 4, k = 1 }, seq{ maxpool2d{ 2 }, conv2d{ 4, k = 1 } } },
  flatten{}, loss = mse{} }
