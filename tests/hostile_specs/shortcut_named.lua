-- expect: tests/hostile_specs/shortcut_named.lua:3: residual 0: the shortcut is named 0.shortcut; remove its name
-- a shortcut's name, which its path ignores
return network{ input = { 3, 8, 8 }, residual{ conv2d{ 3, k = 1 }, shortcut = conv2d{ 3, k = 1, name = "proj" } }, flatten{}, loss = mse{} }
