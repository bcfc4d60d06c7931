-- expect: tests/spec_errors/layer_without_braces.lua:2: item 2 of network is a function; write it with braces, e.g. relu{}
return network{ input = { 4 },
  linear{ 2 }, relu, loss = mse{} }
