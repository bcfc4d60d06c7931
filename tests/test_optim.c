/* Optimizer updates against PyTorch's, step by step. The expected values were
 * printed by `/usr/bin/python3 tests/torch/optim_reference.py` (torch 1.13):
 * a 3-element weight with weight decay 0.1 and a 2-element bias without,
 * gradients g0 * (1 + t/10) at step t; parameters after steps 1, 2 and 10. */
#include "gradients.h"
#include "optim.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static const nn_tensor tensors[] = {
    { "w", 1, { 3 }, 0, 3, NN_TRAINABLE | NN_DECAY, NN_INIT_ZEROS, 1, 1 },
    { "b", 1, { 2 }, 3, 2, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
};

typedef struct {
    const char *name;
    int step;
    double expect[5];
} expected;

static const expected table[] = {
    { "sgd", 1, { 0.473, -1.1935, 1.815, 0.177, -0.3055 } },
    { "sgd", 2, { 0.44427, -1.133565, 1.61685, 0.261, -0.3115 } },
    { "sgd", 10, { 0.154190102348, -0.534475723448, -0.426242863658, 1.185, -0.3775 } },
    { "momentum", 1, { 0.473, -1.1935, 1.815, 0.177, -0.3055 } },
    { "momentum", 2, { 0.41997, -1.082715, 1.45035, 0.3303, -0.31645 } },
    { "momentum", 10, { -0.783154243045, 1.41103870797, -6.96054526966, 4.23966741726, -0.595690529805 } },
    { "nesterov", 1, { 0.4487, -1.14265, 1.6485, 0.2463, -0.31045 } },
    { "nesterov", 2, { 0.3727047, -0.98397465, 1.1253285, 0.46827, -0.326305 } },
    { "nesterov", 10, { -0.939956142395, 1.73425950609, -8.06924051888, 4.91070067554, -0.643621476824 } },
    { "adam", 1, { 0.49000000037, -1.24000000018, 1.99000000005, 0.10999999987, -0.309999998182 } },
    { "adam", 2, { 0.479988063353, -1.22998817857, 1.979987319, 0.120013205652, -0.320013202349 } },
    { "adam", 10, { 0.398685485505, -1.14869780634, 1.89860136329, 0.201466939609, -0.401466925337 } },
    { "adamw", 1, { 0.489500000455, -1.23875000023, 1.98800000006, 0.10999999987, -0.309999998182 } },
    { "adamw", 2, { 0.478997294982, -1.22749804454, 1.97599879421, 0.120013205652, -0.320013202349 } },
    { "adamw", 10, { 0.394007478569, -1.13654113681, 1.87907479557, 0.201466939609, -0.401466925337 } },
};

static nn_optim_config config(const char *name)
{
    nn_optim_config c;
    if (!strcmp(name, "adam") || !strcmp(name, "adamw")) {
        c = nn_optim_defaults(!strcmp(name, "adam") ? NN_ADAM : NN_ADAMW);
        c.lr = 0.01;
    } else {
        c = nn_optim_defaults(NN_SGD);
        c.lr = 0.1;
        c.momentum = strcmp(name, "sgd") ? 0.9 : 0.0;
        c.nesterov = !strcmp(name, "nesterov");
    }
    c.weight_decay = 0.1;
    return c;
}

static void run(const char *name)
{
    const float g0[5] = { 0.2f, -0.4f, 1.5f, -0.7f, 0.05f };
    float p[5] = { 0.5f, -1.25f, 2.0f, 0.1f, -0.3f }, g[5];
    const nn_optim_config c = config(name);
    nn_optimizer o;
    cr_assert_eq(nn_optim_init(&o, &c, 5), 0);
    int checked = 0;
    for (int t = 1; t <= 10; ++t) {
        for (int i = 0; i < 5; ++i) g[i] = (float)(g0[i] * (1.0 + 0.1 * t));
        nn_optim_step(&o, tensors, 2, p, g, c.lr, NULL);
        for (size_t k = 0; k < sizeof table / sizeof table[0]; ++k) {
            if (strcmp(table[k].name, name) || table[k].step != t) continue;
            for (int i = 0; i < 5; ++i) {
                const double want = table[k].expect[i];
                cr_expect(fabs(p[i] - want) <= 2e-6 * fmax(1.0, fabs(want)), "%s step %d element %d: got %.9g, PyTorch %.9g",
                          name, t, i, p[i], want);
            }
            ++checked;
        }
    }
    cr_expect_eq(checked, 3, "%s: expected values at steps 1, 2 and 10", name);
    nn_optim_free(&o);
}

Test(optim, sgd_with_decay_on_weights_only) { run("sgd"); }
Test(optim, sgd_momentum) { run("momentum"); }
Test(optim, sgd_nesterov) { run("nesterov"); }
Test(optim, adam_bias_correction_steps_1_2_10) { run("adam"); }
Test(optim, adamw_decoupled_decay) { run("adamw"); }

Test(optim, decay_all_includes_biases)
{
    nn_optim_config c = nn_optim_defaults(NN_SGD);
    c.lr = 1.0;
    c.weight_decay = 0.5;
    c.decay_all = 1;
    float p[5] = { 1, 1, 1, 1, 1 }, g[5] = { 0 };
    nn_optimizer o;
    cr_assert_eq(nn_optim_init(&o, &c, 5), 0);
    nn_optim_step(&o, tensors, 2, p, g, c.lr, NULL);
    for (int i = 0; i < 5; ++i) cr_expect_float_eq(p[i], 0.5f, 1e-7, "element %d", i);
    nn_optim_free(&o);
}

Test(optim, l1_adds_sign_of_weights_to_decayed_tensors_only)
{
    const nn_tensor tensors[] = {
        { "w", 1, { 3 }, 0, 3, NN_TRAINABLE | NN_DECAY, NN_INIT_ZEROS, 1, 1 },
        { "b", 1, { 2 }, 4, 2, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
    };
    float p[6] = { 2.0f, -2.0f, 0.0f, 0.0f, 2.0f, -2.0f };
    const float g[6] = { 0.5f, 0.5f, 0.5f, 0.0f, 0.5f, 0.5f };
    nn_optim_config c = nn_optim_defaults(NN_SGD);
    c.l1 = 0.25;
    nn_optimizer o;
    cr_assert_eq(nn_optim_init(&o, &c, 6), 0);
    nn_optim_step(&o, tensors, 2, p, g, 0.1, NULL);
    cr_expect_float_eq(p[0], 2.0f - 0.1f * (0.5f + 0.25f), 1e-7);
    cr_expect_float_eq(p[1], -2.0f - 0.1f * (0.5f - 0.25f), 1e-7);
    cr_expect_float_eq(p[2], 0.0f - 0.1f * 0.5f, 1e-7, "sign(0) is 0");
    cr_expect_float_eq(p[4], 2.0f - 0.1f * 0.5f, 1e-7, "biases get no L1");
    cr_expect_float_eq(p[5], -2.0f - 0.1f * 0.5f, 1e-7);
    nn_optim_free(&o);
}

Test(optim, clipping_by_global_norm_skips_frozen_tensors)
{
    const nn_tensor tensors[] = {
        { "a", 1, { 1 }, 0, 1, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
        { "b", 1, { 1 }, 4, 1, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
        { "frozen", 1, { 1 }, 8, 1, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
        { "nan_buffer", 1, { 1 }, 12, 1, NN_BUFFER, NN_INIT_ZEROS, 1, 1 },
    };
    float g[16] = { 0 };
    g[0] = 3.0f, g[4] = -4.0f, g[8] = 100.0f, g[12] = NAN;
    const double mult[4] = { 1.0, 1.0, 0.0, 1.0 };
    cr_expect_float_eq(nn_grad_global_norm(tensors, 4, g, mult), 5.0, 1e-12);
    cr_expect_eq(nn_grad_first_nonfinite(tensors, 4, g, mult, NULL), -1, "buffers and frozen tensors are not checked");
    nn_grad_scale(tensors, 4, g, mult, 1.0 / 5.0);
    cr_expect_float_eq(g[0], 0.6f, 1e-7);
    cr_expect_float_eq(g[4], -0.8f, 1e-7);
    cr_expect_eq(g[8], 100.0f, "frozen gradients are left as they are");
    g[4] = INFINITY;
    cr_expect_eq(nn_grad_first_nonfinite(tensors, 4, g, mult, NULL), 1);
}
