-- expect: tests/spec_errors/sandbox_os_execute.lua:2: unknown name 'os'
os.execute("touch /tmp/nncc-sandbox-escaped")
return network{ input = { 4 }, linear{ 2 }, loss = mse{} }
