-- expect: tests/hostile_specs/nested_200000_seqs.lua:4: containers nest more than 100 deep here
-- 200,000 nested seqs
local layer = relu{}
for _ = 1, 200000 do layer = seq{ layer } end
return network{ input = { 3, 8, 8 }, layer, flatten{}, loss = mse{} }
