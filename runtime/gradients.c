#include "gradients.h"

#include <math.h>

static int updated(const nn_tensor *t, const double *lr_mult, int i)
{
    return (t->flags & NN_TRAINABLE) && (!lr_mult || lr_mult[i] != 0.0);
}

int nn_grad_first_nonfinite(const nn_tensor *tensors, int n_tensors, const float *grads, const double *lr_mult,
                            const unsigned char *skip)
{
    for (int t = 0; t < n_tensors; ++t) {
        if (!updated(&tensors[t], lr_mult, t) || (skip && skip[t])) continue;
        const float *g = grads + tensors[t].offset;
        for (size_t i = 0; i < tensors[t].size; ++i)
            if (!isfinite(g[i])) return t;
    }
    return -1;
}

double nn_grad_global_norm(const nn_tensor *tensors, int n_tensors, const float *grads, const double *lr_mult)
{
    double sum = 0.0;
    for (int t = 0; t < n_tensors; ++t) {
        if (!updated(&tensors[t], lr_mult, t)) continue;
        const float *g = grads + tensors[t].offset;
        for (size_t i = 0; i < tensors[t].size; ++i) sum += (double)g[i] * g[i];
    }
    return sqrt(sum);
}

void nn_grad_scale(const nn_tensor *tensors, int n_tensors, float *grads, const double *lr_mult, double factor)
{
    for (int t = 0; t < n_tensors; ++t) {
        if (!updated(&tensors[t], lr_mult, t)) continue;
        float *g = grads + tensors[t].offset;
        for (size_t i = 0; i < tensors[t].size; ++i) g[i] = (float)(g[i] * factor);
    }
}
