-- expect: tests/spec_errors/global_assignment.lua:2: a spec cannot set the global 'width'; use 'local width'
width = 64
return network{ input = { 4 }, linear{ width }, loss = mse{} }
