-- expect: tests/spec_errors/activations_too_large.lua:4: layer 1 (relu): the activations of a batch of 8192 need more than 17,592,186,044,416 values (2^44, 128 TiB of doubles: all the memory x86-64 can address)
-- each slot holds 2^43 values: the input's and the first relu's fill 2^44, the second's is past it
return network{ input = { 1 << 30 }, batch = 1 << 13,
  relu{}, relu{}, loss = mse{} }
