-- expect: tests/spec_errors/duplicate_names.lua:3: two layers are named fc
return network{ input = { 4 }, linear{ 3, name = "fc" },
  linear{ 2, name = "fc" }, loss = mse{} }
