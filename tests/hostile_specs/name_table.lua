-- expect: tests/hostile_specs/name_table.lua:3: name must be a string of letters, digits and '_', got a table
-- a table as a residual's after name
return network{ input = { 3, 8, 8 }, residual{ relu{}, after = relu{ name = {} } }, flatten{}, loss = mse{} }
