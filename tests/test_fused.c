/* The fused optimizer step (runtime/optim.h) against the plain one: fmnist_cnn
 * (float, as shipped) trained at batch 1 for a few steps both ways from the same
 * start must end with the same parameters and optimizer state, while the dense
 * layers' weight gradients are never written in the fused run. */
#include "fmnist_cnn.h"
#include "init.h"
#include "optim.h"
#include "rng.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STEPS 3
#define DENSE_WEIGHTS 4 /* tensor "7.weight", 128 x 1600 */

typedef struct {
    nn_state s;
    nn_optimizer opt;
    nn_fused_update fused;
} run;

static float *zeros(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof(float));
    cr_assert_not_null(p);
    return p;
}

static void start(run *r, const nn_optim_config *cfg, const double *lr_mult, const unsigned char *frozen)
{
    const nn_model *m = &fmnist_cnn_model;
    static nn_rng rng;
    r->s = (nn_state){ .params = zeros(m->n_params), .grads = zeros(m->n_params), .acts = zeros(m->n_acts),
                       .dacts = zeros(m->n_acts), .work = zeros(m->n_work), .rng = &rng, .frozen = frozen };
    r->s.index = calloc(m->n_index ? m->n_index : 1, sizeof(int32_t));
    nn_rng_seed(&rng, 7);
    nn_init_params(m->tensors, m->n_tensors, r->s.params, &rng);
    cr_assert_eq(nn_optim_init(&r->opt, cfg, m->n_params), 0);
    cr_assert_eq(nn_fused_init(&r->fused, &r->opt, m->tensors, m->n_tensors, lr_mult), 0);
}

static void finish(run *r)
{
    nn_fused_free(&r->fused);
    nn_optim_free(&r->opt);
    free(r->s.params), free(r->s.grads), free(r->s.acts), free(r->s.dacts), free(r->s.work), free(r->s.index);
}

/* Steps both runs on the same images and compares them; `fused_weights` says whether the
 * dense weights should have been updated by backward. */
static void compare(const nn_optim_config *cfg, const double *lr_mult, const unsigned char *frozen, int fused_weights)
{
    const nn_model *m = &fmnist_cnn_model;
    run plain, fused;
    start(&plain, cfg, lr_mult, frozen);
    start(&fused, cfg, lr_mult, frozen);
    const nn_tensor *dense = &m->tensors[DENSE_WEIGHTS];
    cr_assert_str_eq(dense->name, "7.weight");
    float x[784], target[10];
    for (int step = 0; step < STEPS; ++step) {
        for (int i = 0; i < 784; ++i) x[i] = (float)sin(0.37 * i + step);
        memset(target, 0, sizeof target);
        target[(3 * step + 1) % 10] = 1.0f;

        m->forward(&plain.s, x, 1, 1);
        m->loss(&plain.s, target, 1);
        m->backward(&plain.s, 1, NULL);
        nn_optim_step(&plain.opt, m->tensors, m->n_tensors, plain.s.params, plain.s.grads, cfg->lr, lr_mult);

        /* NaN in the dense gradient, which backward must leave as it is */
        for (size_t i = 0; i < dense->size; ++i) fused.s.grads[dense->offset + i] = NAN;
        m->forward(&fused.s, x, 1, 1);
        m->loss(&fused.s, target, 1);
        nn_fused_begin(&fused.fused, cfg->lr);
        fused.s.fuse = &fused.fused;
        m->backward(&fused.s, 1, NULL);
        fused.s.fuse = NULL;
        cr_expect_eq(fused.fused.done[DENSE_WEIGHTS], fused_weights, "step %d: the dense weights' update in backward",
                     step);
        cr_expect_eq(fused.fused.nonfinite, -1);
        size_t written = 0;
        for (size_t i = 0; i < dense->size; ++i) written += !isnan(fused.s.grads[dense->offset + i]);
        cr_expect_eq(written, 0, "step %d: %zu of the dense gradient written (fused or frozen: none)", step, written);
        nn_fused_finish(&fused.fused, fused.s.params, fused.s.grads);
    }
    /* the input gradient's sums run in another order (gemv), hence a tolerance */
    for (int t = 0; t < m->n_tensors; ++t) {
        const nn_tensor *d = &m->tensors[t];
        for (size_t i = 0; i < d->size; ++i) {
            const size_t k = d->offset + i;
            const float a = plain.s.params[k], b = fused.s.params[k], ma = plain.opt.m[k], mb = fused.opt.m[k];
            cr_assert(fabsf(a - b) <= 1e-5f * (1.0f + fabsf(a)), "%s[%zu]: %.9g plain, %.9g fused", d->name, i, a, b);
            cr_assert(fabsf(ma - mb) <= 1e-5f * (1.0f + fabsf(ma)), "%s[%zu] state: %.9g plain, %.9g fused", d->name,
                      i, ma, mb);
        }
    }
    cr_expect_eq(plain.opt.step, fused.opt.step);
    finish(&plain);
    finish(&fused);
}

Test(fused, sgd_momentum_nesterov_decay_l1)
{
    nn_optim_config c = nn_optim_defaults(NN_SGD);
    c.lr = 0.05, c.momentum = 0.9, c.nesterov = 1, c.weight_decay = 0.01, c.l1 = 0.001;
    compare(&c, NULL, NULL, 1);
}

Test(fused, adam_with_learning_rate_multipliers)
{
    nn_optim_config c = nn_optim_defaults(NN_ADAM);
    c.lr = 0.01, c.weight_decay = 0.01;
    const double mult[8] = { 1, 1, 0.5, 1, 0.25, 1, 2, 1 };
    compare(&c, mult, NULL, 1);
}

Test(fused, adamw)
{
    nn_optim_config c = nn_optim_defaults(NN_ADAMW);
    c.lr = 0.01;
    compare(&c, NULL, NULL, 1);
}

Test(fused, frozen_dense_weights_are_left_alone)
{
    nn_optim_config c = nn_optim_defaults(NN_SGD);
    c.lr = 0.05, c.momentum = 0.9;
    const double mult[8] = { 1, 1, 1, 1, 0, 1, 1, 1 };
    const unsigned char frozen[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };
    compare(&c, mult, frozen, 0);
}

Test(fused, a_nonfinite_gradient_is_reported)
{
    const nn_tensor tensors[] = {
        { "w", 1, { 4 }, 0, 4, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
        { "b", 1, { 2 }, 4, 2, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
    };
    float p[6] = { 0 };
    const float fine[2] = { 0.5f, -1.0f }, bad[2] = { 1.0f, INFINITY };
    nn_optim_config c = nn_optim_defaults(NN_SGD);
    nn_optimizer o;
    nn_fused_update f;
    cr_assert_eq(nn_optim_init(&o, &c, 6), 0);
    cr_assert_eq(nn_fused_init(&f, &o, tensors, 2, NULL), 0);
    nn_fused_begin(&f, 0.1);
    nn_fused_apply(&f, 0, 0, 2, p, fine);
    cr_expect_eq(f.nonfinite, -1);
    cr_expect_float_eq(p[1], 0.1f, 1e-7);
    nn_fused_apply(&f, 0, 2, 2, p + 2, bad);
    cr_expect_eq(f.nonfinite, 0, "the tensor whose gradient held an infinity");
    nn_fused_begin(&f, 0.1);
    cr_expect_eq(f.nonfinite, -1, "each step starts clean");
    nn_fused_free(&f);
    nn_optim_free(&o);
}
