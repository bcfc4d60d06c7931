-- expect: tests/hostile_specs/nested_after_change.lua:6: seq 0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0: containers nest more than 100 deep here
-- containers nested 101 deep by a change to an argument table after the seq was made
local items = { relu{} }
local top = seq(items)
local layer = relu{}
for _ = 1, 99 do layer = seq{ layer } end
items[2] = seq{ layer }
return network{ input = { 4 }, top, loss = mse{} }
