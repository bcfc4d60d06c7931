/* Parameter initialization from the tensor table. */
#ifndef NN_INIT_H
#define NN_INIT_H

#include "nn_model.h"
#include "rng.h"

/* Fills every tensor of params by its table entry, in table order. */
void nn_init_params(const nn_tensor *tensors, int n_tensors, float *params, nn_rng *rng);

#endif
