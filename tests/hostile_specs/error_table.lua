-- expect: tests/hostile_specs/error_table.lua:3: the spec raised an error with a table value, not a message
-- an error whose value is a table
error({ code = 1 })
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
