#include "init.h"

#include <math.h>

void nn_init_params(const nn_tensor *tensors, int n_tensors, float *params, nn_rng *rng)
{
    for (int t = 0; t < n_tensors; ++t) {
        const nn_tensor *d = &tensors[t];
        float *p = params + d->offset;
        const double fan_in = d->fan_in, fan_avg = 0.5 * (d->fan_in + d->fan_out);
        for (size_t i = 0; i < d->size; ++i) {
            double v = 0.0;
            switch (d->init) {
            case NN_INIT_ONES:
                v = 1.0;
                break;
            case NN_INIT_UNIFORM_FAN_IN:
                v = (2.0 * nn_rng_uniform(rng) - 1.0) / sqrt(fan_in);
                break;
            case NN_INIT_XAVIER_UNIFORM:
                v = (2.0 * nn_rng_uniform(rng) - 1.0) * sqrt(3.0 / fan_avg);
                break;
            case NN_INIT_XAVIER_NORMAL:
                v = nn_rng_normal(rng) * sqrt(1.0 / fan_avg);
                break;
            case NN_INIT_KAIMING_NORMAL:
                v = nn_rng_normal(rng) * sqrt(2.0 / fan_in);
                break;
            default:
                v = 0.0;
                break;
            }
            p[i] = (float)v;
        }
    }
}
