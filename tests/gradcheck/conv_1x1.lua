-- conv2d 1x1 stride 1: the GEMM-on-activations fast path (no im2col)
return network{ input = { 3, 4, 5 }, batch = 3, conv2d{ 4, k = 1 }, flatten{}, loss = mse{} }
