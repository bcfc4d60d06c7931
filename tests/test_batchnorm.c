/* BatchNorm's running statistics and evaluation mode on a recorded example:
 * the expected values were printed by
 * `/usr/bin/python3 tests/torch/batchnorm_reference.py` (PyTorch 1.13). */
#include "bn_tiny/bn_tiny.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

Test(batchnorm, running_statistics_and_evaluation_match_pytorch)
{
    const nn_model64 *m = &bn_tiny_model;
    nn_rng rng;
    nn_rng_seed(&rng, 1);
    nn_state64 s = { .params = calloc(m->n_params, sizeof(double)), .grads = calloc(m->n_params, sizeof(double)),
                     .acts = calloc(m->n_acts, sizeof(double)), .dacts = calloc(m->n_acts, sizeof(double)),
                     .work = calloc(m->n_work + 1, sizeof(double)), .index = calloc(m->n_index + 1, sizeof(int32_t)),
                     .rng = &rng };
    cr_assert(s.params && s.acts);
    const nn_tensor *weight = &m->tensors[0], *mean = &m->tensors[2], *var = &m->tensors[3];
    cr_assert_str_eq(mean->name, "0.running_mean");
    cr_assert_str_eq(var->name, "0.running_var");
    for (int c = 0; c < 2; ++c) { /* PyTorch's initial state */
        s.params[weight->offset + c] = 1.0;
        s.params[var->offset + c] = 1.0;
    }
    /* n x C x H x W = 2 x 2 x 1 x 3 */
    const double x[12] = { 1.0, 2.0, 4.0, -1.0, 0.5, 3.0, 0.0, -2.0, 7.0, 2.0, 2.5, -0.5 };
    m->forward(&s, x, 2, 1);
    const double *y = s.acts + m->output_offset;
    cr_expect_float_eq(y[0], -0.346409953668, 1e-11);
    cr_expect_float_eq(y[1], 0.0, 1e-11);
    cr_expect_float_eq(y[2], 0.692819907336, 1e-11);
    cr_expect_float_eq(s.params[mean->offset + 0], 0.2, 1e-12);
    cr_expect_float_eq(s.params[mean->offset + 1], 0.108333333333, 1e-11);
    cr_expect_float_eq(s.params[var->offset + 0], 1.9, 1e-12);
    cr_expect_float_eq(s.params[var->offset + 1], 1.17416666667, 1e-11);
    /* evaluation uses the running statistics: (x - 0.2) / sqrt(1.9 + 1e-5) for channel 0 */
    m->forward(&s, x, 2, 0);
    cr_expect_float_eq(y[0], (1.0 - 0.2) / sqrt(1.9 + 1e-5), 1e-12);
    cr_expect_float_eq(s.params[mean->offset + 0], 0.2, 1e-12, "evaluation changed the running mean");
    free(s.params);
    free(s.grads);
    free(s.acts);
    free(s.dacts);
    free(s.work);
    free(s.index);
}
