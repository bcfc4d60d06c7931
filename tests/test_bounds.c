/* Every gradient-check model, generated in float as the trainers are, writes only
 * inside the arrays the runtime gives it: each array (parameters, gradients,
 * activations and their gradients, workspace, argmax indices, the input gradient)
 * is followed by a guard of known bytes, checked after every forward, loss and
 * backward, at the full batch (where the workspace has no slack left) and at one
 * image, in training and evaluation mode. */
#include "float_models.h" /* written by tests/tests.mk: the models and FLOAT_MODELS */
#include "init.h"
#include "rng.h"

#include <cblas.h>
#include <criterion/criterion.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define GUARD 4096 /* bytes after each array */
#define PATTERN 0xa5

typedef struct {
    unsigned char *base;
    size_t bytes; /* the array's, without the guard */
    const char *name;
} guarded;

static void *guarded_alloc(guarded *g, const char *name, size_t count, size_t size)
{
    g->name = name;
    g->bytes = count * size;
    g->base = malloc(g->bytes + GUARD);
    cr_assert_not_null(g->base);
    memset(g->base, 0, g->bytes);
    memset(g->base + g->bytes, PATTERN, GUARD);
    return g->base;
}

/* Fails the test, naming the array and the call, if a guard byte changed; then
 * restores the guard, so that each call is judged on its own writes. */
static void check_guards(const guarded *gs, int count, const char *model, const char *call, int n)
{
    for (int a = 0; a < count; ++a) {
        unsigned char *guard = gs[a].base + gs[a].bytes;
        size_t changed = 0, first = GUARD;
        for (size_t i = 0; i < GUARD; ++i)
            if (guard[i] != PATTERN) {
                changed++;
                if (first == GUARD) first = i;
            }
        cr_expect(changed == 0, "%s: %s at n = %d wrote %zu bytes past the end of %s (%zu bytes), from byte %zu on",
                  model, call, n, changed, gs[a].name, gs[a].bytes, first);
        memset(guard, PATTERN, GUARD);
    }
}

static void run_model(const nn_model *m, int n, int training)
{
    enum { PARAMS, GRADS, ACTS, DACTS, WORK, INDEX, INPUT, D_INPUT, TARGET, ARRAYS };
    guarded gs[ARRAYS];
    nn_state s = {
        .params = guarded_alloc(&gs[PARAMS], "params", m->n_params, sizeof(float)),
        .grads = guarded_alloc(&gs[GRADS], "grads", m->n_params, sizeof(float)),
        .acts = guarded_alloc(&gs[ACTS], "acts", m->n_acts, sizeof(float)),
        .dacts = guarded_alloc(&gs[DACTS], "dacts", m->n_acts, sizeof(float)),
        .work = guarded_alloc(&gs[WORK], "work", m->n_work, sizeof(float)),
        .index = guarded_alloc(&gs[INDEX], "index", m->n_index, sizeof(int32_t)),
    };
    float *input = guarded_alloc(&gs[INPUT], "input", (size_t)n * m->input_size, sizeof(float));
    float *d_input = guarded_alloc(&gs[D_INPUT], "d_input", (size_t)n * m->input_size, sizeof(float));
    float *target = guarded_alloc(&gs[TARGET], "target", (size_t)n * m->output_size, sizeof(float));
    nn_rng rng, model_rng;
    nn_rng_seed(&rng, 11);
    nn_rng_seed(&model_rng, 12);
    s.rng = &model_rng;
    nn_init_params(m->tensors, m->n_tensors, s.params, &rng);
    for (size_t i = 0; i < (size_t)n * m->input_size; ++i) input[i] = (float)nn_rng_normal(&rng);
    for (size_t i = 0; i < (size_t)n * m->output_size; ++i) target[i] = (float)nn_rng_uniform(&rng);

    m->forward(&s, input, n, training);
    check_guards(gs, ARRAYS, m->name, "forward", n);
    m->loss(&s, target, n);
    check_guards(gs, ARRAYS, m->name, "loss", n);
    m->backward(&s, n, d_input);
    check_guards(gs, ARRAYS, m->name, "backward", n);
    s.accumulate_grads = 1;
    m->backward(&s, n, d_input);
    check_guards(gs, ARRAYS, m->name, "backward (accumulating)", n);
    for (int a = 0; a < ARRAYS; ++a) free(gs[a].base);
}

static void check_model(const nn_model *m)
{
    omp_set_num_threads(1); /* tiny shapes, and Criterion runs tests in parallel */
    openblas_set_num_threads(1);
    for (int training = 0; training <= 1; ++training) {
        run_model(m, m->batch, training);
        if (m->batch > 1) run_model(m, 1, training);
    }
}

#define BOUNDS_TEST(name) \
    Test(bounds, name) { check_model(&name##_model); }
FLOAT_MODELS(BOUNDS_TEST)
