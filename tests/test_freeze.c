/* Freezing and per-tensor learning rates: name patterns resolve to
 * multipliers; the generated backward computes no gradient for a frozen
 * tensor and skips the input gradients nothing upstream needs; the
 * optimizer leaves frozen tensors alone. On the mini ResNet and a network of
 * scattered convolutions (double). */
#include "direct_pool_scatter/direct_pool_scatter.h"
#include "net_mini_resnet/net_mini_resnet.h"

#include "lr_rules.h"
#include "optim.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const nn_model64 *mini_resnet = &net_mini_resnet_model;

typedef struct {
    const nn_model64 *m;
    int n; /* images: the model's batch */
    nn_state64 s;
    nn_rng rng;
    double *x, *target;
} net;

static void net_init(net *t, const nn_model64 *model)
{
    memset(t, 0, sizeof *t);
    t->m = model;
    t->n = model->batch;
    t->s = (nn_state64){ .params = calloc(model->n_params, sizeof(double)),
                         .grads = calloc(model->n_params, sizeof(double)),
                         .acts = calloc(model->n_acts, sizeof(double)),
                         .dacts = calloc(model->n_acts, sizeof(double)),
                         .work = calloc(model->n_work + 1, sizeof(double)),
                         .index = calloc(model->n_index + 1, sizeof(int32_t)), .rng = &t->rng };
    t->x = calloc((size_t)t->n * model->input_size, sizeof(double));
    t->target = calloc((size_t)t->n * model->output_size, sizeof(double));
    cr_assert(t->s.params && t->s.grads && t->s.acts && t->s.dacts && t->s.work && t->s.index && t->x && t->target);
    srand(7);
    for (size_t i = 0; i < model->n_params; ++i) t->s.params[i] = rand() / (double)RAND_MAX - 0.5;
    for (size_t i = 0; i < (size_t)t->n * model->input_size; ++i) t->x[i] = rand() / (double)RAND_MAX - 0.5;
    for (size_t i = 0; i < (size_t)t->n; ++i) t->target[i * model->output_size + i % model->output_size] = 1.0;
}

static void net_free(net *t)
{
    free(t->s.params);
    free(t->s.grads);
    free(t->s.acts);
    free(t->s.dacts);
    free(t->s.work);
    free(t->s.index);
    free(t->x);
    free(t->target);
}

/* Forward, loss and backward from the same starting point; returns the gradients. */
static double *gradients(net *t, const unsigned char *frozen)
{
    const size_t n_params = t->m->n_params;
    double *saved = malloc(sizeof(double) * n_params);
    memcpy(saved, t->s.params, sizeof(double) * n_params); /* BN running stats move in training mode */
    memset(t->s.grads, 0, sizeof(double) * n_params);
    memset(t->s.dacts, 0, sizeof(double) * t->m->n_acts);
    t->s.frozen = frozen;
    nn_rng_seed(&t->rng, 1);
    t->m->forward(&t->s, t->x, t->n, 1);
    t->m->loss(&t->s, t->target, t->n);
    t->m->backward(&t->s, t->n, NULL);
    double *g = malloc(sizeof(double) * n_params);
    memcpy(g, t->s.grads, sizeof(double) * n_params);
    memcpy(t->s.params, saved, sizeof(double) * n_params);
    free(saved);
    return g;
}

static void frozen_by(const nn_model64 *model, const nn_lr_rule *rules, int n, unsigned char *frozen, int *count)
{
    double mult[64];
    char err[256];
    cr_assert_lt(model->n_tensors, 64);
    cr_assert_eq(nn_lr_rules_apply(model->tensors, model->n_tensors, rules, n, mult, err, sizeof err), 0, "%s", err);
    *count = 0;
    for (int t = 0; t < model->n_tensors; ++t) {
        frozen[t] = (model->tensors[t].flags & NN_TRAINABLE) && mult[t] == 0.0;
        *count += frozen[t];
    }
}

/* The gradients with `rules` applied: zero for the frozen tensors, the same as with none
 * for the others (which need the input gradients of the frozen layers after them). */
static void expect_frozen_gradients(const nn_model64 *model, const nn_lr_rule *rules, int n, int expected_frozen)
{
    net t;
    net_init(&t, model);
    double *full = gradients(&t, NULL);
    unsigned char frozen[64];
    int count;
    frozen_by(model, rules, n, frozen, &count);
    cr_assert_eq(count, expected_frozen, "%s: %d frozen tensors, expected %d", model->name, count, expected_frozen);
    double *part = gradients(&t, frozen);
    for (int k = 0; k < model->n_tensors; ++k) {
        const nn_tensor *d = &model->tensors[k];
        if (!(d->flags & NN_TRAINABLE)) continue;
        for (size_t i = 0; i < d->size; ++i) {
            const double want = frozen[k] ? 0.0 : full[d->offset + i];
            cr_assert_eq(part[d->offset + i], want, "%s: %s[%zu]: %g, expected %g", model->name, d->name, i,
                         part[d->offset + i], want);
        }
    }
    free(full);
    free(part);
    net_free(&t);
}

Test(freeze, glob_patterns)
{
    cr_expect(nn_glob_match("layer1.*", "layer1.0.conv1.weight"));
    cr_expect(nn_glob_match("*.bias", "layer2.0.bn1.bias"));
    cr_expect(nn_glob_match("layer?.0.*", "layer2.0.bn1.bias"));
    cr_expect(nn_glob_match("*", "x"));
    cr_expect(nn_glob_match("a*b*c", "aXbYbZc"));
    cr_expect(!nn_glob_match("layer1.*", "layer10"));
    cr_expect(!nn_glob_match("layer1.*", "xlayer1.0"));
    cr_expect(!nn_glob_match("*.bias", "bn1.bias.x"));
    cr_expect(!nn_glob_match("layer?.0", "layer12.0"));
}

Test(freeze, rules_resolve_in_order_and_typos_are_errors)
{
    double mult[64];
    char err[256];
    const nn_lr_rule rules[] = { { "layer2.*", 0.0 }, { "layer2.0.bn2.*", 10.0 }, { "linear.weight", 3.0 } };
    const nn_model64 *m = mini_resnet;
    cr_assert_eq(nn_lr_rules_apply(m->tensors, m->n_tensors, rules, 3, mult, err, sizeof err), 0, "%s", err);
    for (int t = 0; t < m->n_tensors; ++t) {
        const char *name = m->tensors[t].name;
        const double want = !strncmp(name, "layer2.0.bn2.", 13) && (m->tensors[t].flags & NN_TRAINABLE) ? 10.0
                            : !strncmp(name, "layer2.", 7) && (m->tensors[t].flags & NN_TRAINABLE)  ? 0.0
                            : !strcmp(name, "linear.weight")                                       ? 3.0
                                                                                                   : 1.0;
        cr_expect_eq(mult[t], want, "%s: %g, expected %g", name, mult[t], want);
    }
    const nn_lr_rule typo[] = { { "layr1.*", 0.0 } };
    cr_assert_eq(nn_lr_rules_apply(m->tensors, m->n_tensors, typo, 1, mult, err, sizeof err), -1);
    cr_expect_str_eq(err, "freeze pattern 'layr1.*' matches no trainable tensor (names look like 'conv1.weight')");
}

Test(freeze, frozen_tensors_get_no_gradient_and_the_rest_are_unchanged)
{
    /* the mini ResNet: stem conv, stem BN, layer1's two convs and two BNs */
    const nn_lr_rule resnet[] = { { "conv1.*", 0.0 }, { "bn1.*", 0.0 }, { "layer1.*", 0.0 } };
    expect_frozen_gradients(mini_resnet, resnet, 3, 1 + 2 + 6);
    /* a convolution whose backward scatters from the max pool after it (ops/conv_direct_scatter.lua):
       its weight frozen, it still passes the input gradient back; and a frozen bias alone */
    const nn_lr_rule scatter_weight[] = { { "1.weight", 0.0 } };
    expect_frozen_gradients(&direct_pool_scatter_model, scatter_weight, 1, 1);
    const nn_lr_rule scatter_bias[] = { { "0.0.0.bias", 0.0 } };
    expect_frozen_gradients(&direct_pool_scatter_model, scatter_bias, 1, 1);
}

Test(freeze, backward_skips_the_input_gradients_nothing_needs)
{
    net t;
    net_init(&t, mini_resnet);
    unsigned char frozen[64];
    int count;
    const nn_lr_rule rules[] = { { "*", 0.0 }, { "linear.*", 1.0 } }; /* linear probing */
    frozen_by(mini_resnet, rules, 2, frozen, &count);
    int trainable = 0;
    for (int k = 0; k < mini_resnet->n_tensors; ++k) trainable += (mini_resnet->tensors[k].flags & NN_TRAINABLE) != 0;
    cr_assert_eq(count, trainable - 2, "all but linear.weight and linear.bias");
    double *g = gradients(&t, frozen);
    /* only the loss's own output gradient is written: no layer passed a gradient back */
    for (size_t i = 0; i < mini_resnet->output_offset; ++i)
        cr_assert_eq(t.s.dacts[i], 0.0, "activation gradient %zu was computed: %g", i, t.s.dacts[i]);
    free(g);
    net_free(&t);
}

Test(freeze, optimizer_leaves_frozen_tensors_alone_and_scales_the_rest)
{
    const nn_tensor tensors[] = {
        { "a.weight", 1, { 2 }, 0, 2, NN_TRAINABLE | NN_DECAY, NN_INIT_ZEROS, 1, 1 },
        { "b.weight", 1, { 2 }, 4, 2, NN_TRAINABLE | NN_DECAY, NN_INIT_ZEROS, 1, 1 },
        { "c.weight", 1, { 2 }, 8, 2, NN_TRAINABLE | NN_DECAY, NN_INIT_ZEROS, 1, 1 },
    };
    float p[12] = { 1, -1, 0, 0, 1, -1, 0, 0, 1, -1, 0, 0 };
    const float g[12] = { 0.5f, 0.5f, 0, 0, 0.5f, 0.5f, 0, 0, 0.5f, 0.5f, 0, 0 };
    const double mult[3] = { 0.0, 1.0, 10.0 };
    nn_optim_config c = nn_optim_defaults(NN_SGD);
    c.momentum = 0.9;
    c.weight_decay = 0.1;
    nn_optimizer o;
    cr_assert_eq(nn_optim_init(&o, &c, 12), 0);
    nn_optim_step(&o, tensors, 3, p, g, 0.01, mult);
    cr_expect_eq(p[0], 1.0f);
    cr_expect_eq(p[1], -1.0f);
    cr_expect_eq(o.m[0], 0.0f, "a frozen tensor's momentum must not move");
    /* b: d = g + 0.1 p = 0.6 and 0.4; c: the same with ten times the rate */
    cr_expect_float_eq(p[4], 1.0f - 0.01f * 0.6f, 1e-7);
    cr_expect_float_eq(p[5], -1.0f - 0.01f * 0.4f, 1e-7);
    cr_expect_float_eq(p[8], 1.0f - 0.1f * 0.6f, 1e-7);
    cr_expect_float_eq(p[9], -1.0f - 0.1f * 0.4f, 1e-7);
    nn_optim_free(&o);
}
