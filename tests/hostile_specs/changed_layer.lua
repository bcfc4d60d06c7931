-- expect: tests/hostile_specs/changed_layer.lua:4: relu{...} cannot be changed once made (setting 'op')
-- a layer changed after it is made
local layer = relu{}
layer.op = "os"
return network{ input = { 3, 8, 8 }, layer, flatten{}, loss = mse{} }
