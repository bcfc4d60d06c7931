/* The floating-point mode of a training process. */
#ifndef NN_FPMODE_H
#define NN_FPMODE_H

/* Flush subnormal floats to zero, as inputs and results (x86 SSE: the FTZ
 * and DAZ bits). Momentum buffers and gradients of rarely-touched weights
 * decay into the subnormal range, where each operation costs about a hundred
 * times more: fmnist_cnn's SGD-momentum update takes 0.12 ms with this and
 * about 0.8 ms without. Values below 1.2e-38 do not matter to training. Call it
 * before any OpenMP region: threads inherit the mode when they are created.
 * Elsewhere than x86 it does nothing. */
void nn_flush_subnormals(void);

#endif
