-- expect: tests/spec_errors/syntax_error.lua:3: '}' expected (to close '{' at line 2) near 'linear'
return network{ input = { 4 }
  linear{ 2 }, loss = mse{} }
