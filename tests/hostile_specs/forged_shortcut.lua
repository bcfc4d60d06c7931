-- expect: tests/hostile_specs/forged_shortcut.lua:3: residual 0: shortcut must be "identity", "project" or a layer, got a table that no constructor made
-- a table dressed as a seq, as a shortcut
return network{ input = { 3, 8, 8 }, residual{ relu{}, shortcut = { kind = "seq", args = {} } }, flatten{}, loss = mse{} }
