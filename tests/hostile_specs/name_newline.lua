-- expect: tests/hostile_specs/name_newline.lua:3: name 'a\010b\027[31m' must be letters, digits and '_'
-- a name with a newline and an escape sequence: the message stays one line
return network{ input = { 3, 8, 8 }, relu{ name = "a\nb\27[31m" }, flatten{}, loss = mse{} }
