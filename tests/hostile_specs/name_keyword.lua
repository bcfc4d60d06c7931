-- expect: tests/hostile_specs/name_keyword.lua:3: network: name 'int' is a C keyword
-- a C keyword
return network{ name = "int", input = { 4 }, linear{ 2 }, loss = mse{} }
