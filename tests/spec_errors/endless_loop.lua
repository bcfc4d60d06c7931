-- expect: tests/spec_errors/endless_loop.lua: the spec runs too long (more than 10000000 instructions)
while true do end
