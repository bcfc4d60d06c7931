-- expect: tests/hostile_specs/long_names_error.lua:3: layer nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn... (326 characters in all) (linear): input 3x8x8 is not a vector; add flatten{} or global_avgpool{} before it
-- five seqs with 64-character names: a path past what a message shows whole
local layer = linear{ 2 }
for _ = 1, 5 do layer = seq{ name = string.rep("n", 64), layer } end
return network{ input = { 3, 8, 8 }, layer, flatten{}, loss = mse{} }
