-- expect: tests/hostile_specs/long_path_error.lua:3: layer 0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 (linear): input 3x8x8 is not a vector; add flatten{} or global_avgpool{} before it
-- 60 nested seqs: a layer path of 120 characters in the message (test_generator.c runs such a summary)
local layer = linear{ 2 }
for _ = 1, 60 do layer = seq{ layer } end
return network{ input = { 3, 8, 8 }, layer, flatten{}, loss = mse{} }
