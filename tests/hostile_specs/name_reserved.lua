-- expect: tests/hostile_specs/name_reserved.lua:3: network: name '_stdio' must be a C identifier: a letter, then letters, digits and '_'
-- _stdio: _STDIO_H is glibc's header guard
return network{ name = "_stdio", input = { 4 }, linear{ 2 }, loss = mse{} }
