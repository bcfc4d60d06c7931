/* Whole-gradient operations between backward and the optimizer step, over
 * the trainable tensors that are not frozen (lr_mult[t] != 0; NULL: all). */
#ifndef NN_GRADIENTS_H
#define NN_GRADIENTS_H

#include "nn_model.h"

/* The first tensor whose gradient holds a NaN or an infinity, or -1; tensors
 * with skip[t] set (a fused step's done flags; NULL: none) are not read. */
int nn_grad_first_nonfinite(const nn_tensor *tensors, int n_tensors, const float *grads, const double *lr_mult,
                            const unsigned char *skip);
/* The L2 norm of all their gradients together. */
double nn_grad_global_norm(const nn_tensor *tensors, int n_tensors, const float *grads, const double *lr_mult);
/* Scales their gradients by factor. */
void nn_grad_scale(const nn_tensor *tensors, int n_tensors, float *grads, const double *lr_mult, double factor);

#endif
