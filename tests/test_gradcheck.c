/* Gradient checks: every op and variant (the specs in tests/gradcheck/, generated in
 * double precision) against central differences, for every parameter and
 * every input element. As in Caffe's checker, elements at a kink (the two
 * one-sided differences disagree) are skipped, and the test fails if more
 * than 1% of them are. */
#include "gradcheck_models.h" /* written by tests/tests.mk: the models and GRADCHECK_MODELS */
#include "rng.h"

#include <cblas.h>
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP 1e-5
#define TOLERANCE 1e-6
#define FLOOR 1e-4 /* gradients below this are compared absolutely */

typedef struct {
    const nn_model64 *m;
    nn_state64 s;
    double *input, *target, *d_input;
    int n, training;
} harness;

/* The loss for the current parameters and input; the RNG is re-seeded so
 * that dropout and DropBlock draw the same masks every time. */
static double loss_at(harness *h)
{
    nn_rng_seed(h->s.rng, 99);
    h->m->forward(&h->s, h->input, h->n, h->training);
    return h->m->loss(&h->s, h->target, h->n);
}

typedef struct {
    long checked, skipped;
    double worst;
} report;

/* Compares the analytic derivative of the loss in *x with central differences. */
static void check_element(harness *h, double *x, double analytic, const char *what, size_t index, report *r)
{
    const double saved = *x;
    const double f0 = loss_at(h);
    *x = saved + STEP;
    const double fp = loss_at(h);
    *x = saved - STEP;
    const double fm = loss_at(h);
    *x = saved;
    const double right = (fp - f0) / STEP, left = (f0 - fm) / STEP;
    if (fabs(right - left) > 1e-2 * fmax(fmax(fabs(right), fabs(left)), 1e-2)) {
        r->skipped++; /* a kink between x - h and x + h */
        return;
    }
    const double numeric = (fp - fm) / (2 * STEP);
    /* the losses carry rounding errors of a few ulps, which the difference divides by 2 STEP: a
       gradient that is zero in exact arithmetic (a bias before batch norm) measures up to about
       1e-10 on some machines, so that much of the difference is not counted against the code */
    const double rounding = 16 * DBL_EPSILON * fmax(fabs(f0), 1.0) / (2 * STEP);
    const double err = fmax(fabs(analytic - numeric) - rounding, 0.0) / fmax(fmax(fabs(analytic), fabs(numeric)), FLOOR);
    r->checked++;
    if (err > r->worst) r->worst = err;
    cr_expect(err <= TOLERANCE, "%s: %s[%zu]: analytic %.12g, numeric %.12g, relative error %.3g", h->m->name, what,
              index, analytic, numeric, err);
}

/* Stale values that backward must never read: it writes before it reads. */
static void fill_nan(double *a, size_t count)
{
    for (size_t i = 0; i < count; ++i) a[i] = NAN;
}

static void fill_target(harness *h, nn_rng *rng)
{
    const size_t k = h->m->output_size, total = (size_t)h->n * k;
    const char *loss = h->m->loss_name;
    memset(h->target, 0, sizeof(double) * total);
    for (int i = 0; i < h->n; ++i) {
        if (!strcmp(loss, "softmax_cross_entropy")) {
            h->target[(size_t)i * k + nn_rng_below(rng, (uint32_t)k)] = 1.0;
        } else {
            for (size_t j = 0; j < k; ++j)
                h->target[(size_t)i * k + j] = !strcmp(loss, "binary_cross_entropy") ? nn_rng_uniform(rng) : nn_rng_normal(rng);
        }
    }
}

static void check_model(const nn_model64 *m, int training)
{
    harness h = { .m = m, .n = m->batch > 1 ? m->batch - 1 : 1, .training = training }; /* n < BATCH */
    omp_set_num_threads(1); /* tiny shapes: threads only cost here, and Criterion runs tests in parallel */
    openblas_set_num_threads(1);
    h.s.params = calloc(m->n_params + 1, sizeof(double));
    h.s.grads = calloc(m->n_params + 1, sizeof(double));
    h.s.acts = calloc(m->n_acts + 1, sizeof(double));
    h.s.dacts = calloc(m->n_acts + 1, sizeof(double));
    h.s.work = calloc(m->n_work + 1, sizeof(double));
    h.s.index = calloc(m->n_index + 1, sizeof(int32_t));
    h.input = calloc((size_t)m->batch * m->input_size, sizeof(double));
    h.d_input = calloc((size_t)m->batch * m->input_size, sizeof(double));
    h.target = calloc((size_t)m->batch * m->output_size, sizeof(double));
    cr_assert(h.s.params && h.s.grads && h.s.acts && h.s.dacts && h.s.work && h.s.index && h.input && h.d_input && h.target);

    nn_rng rng, model_rng;
    nn_rng_seed(&rng, 20261122);
    h.s.rng = &model_rng;
    for (int t = 0; t < m->n_tensors; ++t) {
        const nn_tensor *d = &m->tensors[t];
        for (size_t i = 0; i < d->size; ++i) {
            const double u = 2 * nn_rng_uniform(&rng) - 1;
            /* buffers: running means around 0, running variances in [0.5, 1.5] */
            h.s.params[d->offset + i] = d->init == NN_INIT_ONES ? 1 + 0.5 * u : u / sqrt((double)d->fan_in);
        }
    }
    for (size_t i = 0; i < (size_t)h.n * m->input_size; ++i) h.input[i] = nn_rng_normal(&rng);
    fill_target(&h, &rng);

    /* backward must not read a gradient before writing it: the first write
     * to each activation's gradient assigns, and so does every write of a
     * parameter's gradient unless the trainer accumulates; stale values left
     * in the arenas, here NaN, must not reach any result */
    fill_nan(h.s.dacts, m->n_acts);
    fill_nan(h.s.grads, m->n_params);
    loss_at(&h);
    m->backward(&h.s, h.n, h.d_input);
    /* keep the analytic gradients: the finite differences overwrite the state */
    double *grads = malloc(sizeof(double) * (m->n_params + 1));
    double *d_input = malloc(sizeof(double) * (size_t)h.n * m->input_size);
    cr_assert(grads && d_input);
    memcpy(grads, h.s.grads, sizeof(double) * m->n_params);
    memcpy(d_input, h.d_input, sizeof(double) * (size_t)h.n * m->input_size);
    /* backward must leave what forward kept for it intact: a second backward
     * after the same forward gives the same gradients */
    fill_nan(h.s.grads, m->n_params);
    m->backward(&h.s, h.n, h.d_input);
    cr_expect(memcmp(grads, h.s.grads, sizeof(double) * m->n_params) == 0,
              "%s: a second backward changed the parameter gradients", m->name);
    cr_expect(memcmp(d_input, h.d_input, sizeof(double) * (size_t)h.n * m->input_size) == 0,
              "%s: a second backward changed the input gradient", m->name);
    /* accumulating (--accum) adds the same gradients to what is there */
    h.s.accumulate_grads = 1;
    m->backward(&h.s, h.n, h.d_input);
    h.s.accumulate_grads = 0;
    for (int t = 0; t < m->n_tensors; ++t) {
        const nn_tensor *d = &m->tensors[t];
        if (!(d->flags & NN_TRAINABLE)) continue;
        size_t wrong = 0;
        for (size_t i = 0; i < d->size; ++i) wrong += h.s.grads[d->offset + i] != 2 * grads[d->offset + i];
        cr_expect(wrong == 0, "%s: accumulating did not add the gradient of %s (%zu of %zu values)", m->name, d->name,
                  wrong, d->size);
    }

    report r = { 0 };
    for (int t = 0; t < m->n_tensors; ++t) {
        const nn_tensor *d = &m->tensors[t];
        if (!(d->flags & NN_TRAINABLE)) continue; /* buffers such as BN running statistics */
        for (size_t i = 0; i < d->size; ++i)
            check_element(&h, &h.s.params[d->offset + i], grads[d->offset + i], d->name, i, &r);
    }
    for (size_t i = 0; i < (size_t)h.n * m->input_size; ++i) check_element(&h, &h.input[i], d_input[i], "input", i, &r);

    cr_log_info("%s (%s mode): %ld elements checked, %ld skipped at kinks, worst relative error %.2e", m->name,
                training ? "training" : "evaluation", r.checked, r.skipped, r.worst);
    cr_expect(r.checked > 0, "%s: nothing was checked", m->name);
    cr_expect(r.skipped * 100 <= r.checked + r.skipped, "%s: %ld of %ld elements skipped as kinks", m->name, r.skipped,
              r.checked + r.skipped);
    free(grads);
    free(d_input);
    free(h.s.params);
    free(h.s.grads);
    free(h.s.acts);
    free(h.s.dacts);
    free(h.s.work);
    free(h.s.index);
    free(h.input);
    free(h.d_input);
    free(h.target);
}

/* tests/tests.mk builds this file a second time with -mno-avx512f where the machine has
 * AVX-512, for the direct convolutions' 8-lane code (runtime/nn_vec.h's WIDE_LANES). */
#ifdef GRADCHECK_NARROW
#define TRAIN_SUITE gradcheck_narrow
#define EVAL_SUITE gradcheck_narrow_eval
#else
#define TRAIN_SUITE gradcheck
#define EVAL_SUITE gradcheck_eval
#endif
#define TEST_IN(suite, name) Test(suite, name) /* expands the suite macros */
#define GRADCHECK_TEST(name)                                     \
    TEST_IN(TRAIN_SUITE, name) { check_model(&name##_model, 1); } \
    TEST_IN(EVAL_SUITE, name) { check_model(&name##_model, 0); }
GRADCHECK_MODELS(GRADCHECK_TEST)
