-- expect: tests/spec_errors/shortcut_name_clash.lua:3: two layers are named block.proj
return network{ input = { 4, 8, 8 },
  residual{ name = "block", conv2d{ 8, k = 1, name = "proj" }, shortcut = conv2d{ 8, k = 1, name = "proj" } },
  flatten{}, loss = mse{} }
