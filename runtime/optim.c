#include "optim.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>

nn_optim_config nn_optim_defaults(nn_optim_kind kind)
{
    nn_optim_config c = { .kind = kind, .lr = kind == NN_SGD ? 0.01 : 0.001, .momentum = 0.0,
                          .weight_decay = kind == NN_ADAMW ? 0.01 : 0.0, .beta1 = 0.9,
                          .beta2 = 0.999, .eps = 1e-8, .nesterov = 0, .decay_all = 0 };
    return c;
}

const char *nn_optim_name(nn_optim_kind kind)
{
    switch (kind) {
    case NN_SGD: return "sgd";
    case NN_ADAM: return "adam";
    default: return "adamw";
    }
}

int nn_optim_init(nn_optimizer *o, const nn_optim_config *cfg, size_t n_params)
{
    o->cfg = *cfg;
    o->n = n_params;
    o->step = 0;
    o->m = calloc(n_params ? n_params : 1, sizeof(float));
    o->v = cfg->kind == NN_SGD ? NULL : calloc(n_params ? n_params : 1, sizeof(float));
    if (!o->m || (cfg->kind != NN_SGD && !o->v)) {
        nn_optim_free(o);
        return -1;
    }
    return 0;
}

void nn_optim_free(nn_optimizer *o)
{
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
}

/* sign(w), 0 at 0: the subgradient of |w| */
static inline float sign(float w) { return (float)((w > 0.0f) - (w < 0.0f)); }

/* The update loops work in float, as PyTorch does for float parameters, with
 * every choice made outside the loop so that they vectorize. */
static void sgd(const nn_optim_config *c, long step, float *restrict p, const float *restrict g,
                float *restrict buf, size_t n, double wd, double l1, double lr)
{
    const float wdf = (float)wd, l1f = (float)l1, lrf = (float)lr, mu = (float)c->momentum;
    if (c->momentum == 0.0) {
        for (size_t i = 0; i < n; ++i) p[i] -= lrf * (g[i] + wdf * p[i] + l1f * sign(p[i]));
    } else if (step == 1) { /* PyTorch: the buffer starts as the first gradient */
        for (size_t i = 0; i < n; ++i) {
            const float d = g[i] + wdf * p[i] + l1f * sign(p[i]);
            buf[i] = d;
            p[i] -= lrf * (c->nesterov ? d + mu * d : d);
        }
    } else {
        for (size_t i = 0; i < n; ++i) {
            const float d = g[i] + wdf * p[i] + l1f * sign(p[i]);
            const float b = mu * buf[i] + d;
            buf[i] = b;
            p[i] -= lrf * (c->nesterov ? d + mu * b : b);
        }
    }
}

static void adam(const nn_optim_config *c, long step, float *restrict p, const float *restrict g,
                 float *restrict m, float *restrict v, size_t n, double wd, double l1, double lr)
{
    const double bc1 = 1.0 - pow(c->beta1, (double)step), bc2 = 1.0 - pow(c->beta2, (double)step);
    const float b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps, l1f = (float)l1;
    const float step_size = (float)(lr / bc1), inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    /* AdamW decays the weights themselves; Adam adds the decay to the gradient */
    const float decay = c->kind == NN_ADAMW ? (float)(1.0 - lr * wd) : 1.0f;
    const float wd_grad = c->kind == NN_ADAMW ? 0.0f : (float)wd;
    for (size_t i = 0; i < n; ++i) {
        const float d = g[i] + wd_grad * p[i] + l1f * sign(p[i]);
        m[i] = b1 * m[i] + (1.0f - b1) * d;
        v[i] = b2 * v[i] + (1.0f - b2) * d * d;
        p[i] = p[i] * decay - step_size * m[i] / (sqrtf(v[i]) * inv_sqrt_bc2 + eps);
    }
}

/* Tensors from this size on are updated by all the trainer's threads: one thread leaves
 * memory bandwidth unused (resnet18's 11.2M parameters took 5.7-6.2 ms on 2 threads against
 * 10.2-11.5 on one). Each thread takes its own range of elements, each updated on its own, so
 * the result does not change. (An `omp parallel for` on the loops themselves made them slower
 * even on one thread: GCC vectorized the outlined loops worse.) */
#define PARALLEL_MIN 65536

/* Elements [lo, hi) of one tensor. */
static void update(const nn_optim_config *c, long step, float *p, const float *g, float *m, float *v, size_t lo,
                   size_t hi, double wd, double l1, double lr)
{
    if (c->kind == NN_SGD)
        sgd(c, step, p + lo, g + lo, m + lo, hi - lo, wd, l1, lr);
    else
        adam(c, step, p + lo, g + lo, m + lo, v + lo, hi - lo, wd, l1, lr);
}

void nn_optim_step(nn_optimizer *o, const nn_tensor *tensors, int n_tensors, float *params,
                   const float *grads, double lr, const double *lr_mult)
{
    const nn_optim_config *c = &o->cfg;
    o->step += 1;
    for (int t = 0; t < n_tensors; ++t) {
        const nn_tensor *d = &tensors[t];
        const double tensor_lr = lr * (lr_mult ? lr_mult[t] : 1.0);
        if (!(d->flags & NN_TRAINABLE) || tensor_lr == 0.0) continue;
        const int regularized = c->decay_all || (d->flags & NN_DECAY);
        const double wd = regularized ? c->weight_decay : 0.0, l1 = regularized ? c->l1 : 0.0;
        const size_t off = d->offset, n = d->size;
        float *p = params + off, *m = o->m + off, *v = o->v ? o->v + off : NULL;
        const float *g = grads + off;
        if (n < PARALLEL_MIN || omp_get_max_threads() == 1) {
            update(c, o->step, p, g, m, v, 0, n, wd, l1, tensor_lr);
            continue;
        }
        #pragma omp parallel
        {
            /* the thread's share, in whole blocks of 16 elements (cache lines) */
            const size_t blocks = (n + 15) / 16, k = (size_t)omp_get_num_threads(), i = (size_t)omp_get_thread_num();
            const size_t lo = blocks * i / k * 16, hi = blocks * (i + 1) / k * 16;
            update(c, o->step, p, g, m, v, lo < n ? lo : n, hi < n ? hi : n, wd, l1, tensor_lr);
        }
    }
}
