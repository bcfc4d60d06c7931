-- expect: tests/hostile_specs/name_macro_prefix.lua:3: network: name 'acts' clashes with the generated C's tensor macros (ACTS_...)
-- ACTS_BATCH would be the header's and a layer's macro
return network{ name = "acts", input = { 4 }, linear{ 2, name = "BATCH" }, loss = mse{} }
