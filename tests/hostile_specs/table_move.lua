-- expect: tests/hostile_specs/table_move.lua:3: table.move is not available in a spec (it has table.concat, table.insert, table.remove, table.sort, table.unpack)
-- table.move over 2^63 indices: a C loop
table.move({}, 1, math.maxinteger - 1, 1, {})
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
