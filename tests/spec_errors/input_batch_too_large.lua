-- expect: tests/spec_errors/input_batch_too_large.lua:3: network: the activations of a batch of 65536 need more than 17,592,186,044,416 values (2^44, 128 TiB of doubles: all the memory x86-64 can address)
-- 2^30 values per image, 2^16 images: 2^46 values in the activation arena
return network{ input = { 1 << 30 }, batch = 1 << 16,
  relu{}, loss = mse{} }
