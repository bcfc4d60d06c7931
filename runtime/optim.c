#include "optim.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* 1 when x is a NaN or an infinity (all exponent bits set): integer operations, so that
 * the loops that or it together still vectorize. */
static inline uint32_t nonfinite(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return (bits & 0x7f800000u) == 0x7f800000u;
}

/* The update loops work in float, as PyTorch does for float parameters, with
 * every choice made outside the loop so that they vectorize. They return whether
 * every gradient was finite (found on the way: the loops wait on memory). */
static int sgd(const nn_optim_config *c, long step, float *restrict p, const float *restrict g,
               float *restrict buf, size_t n, double wd, double l1, double lr)
{
    const float wdf = (float)wd, l1f = (float)l1, lrf = (float)lr, mu = (float)c->momentum;
    uint32_t bad = 0;
    if (c->momentum == 0.0) {
        for (size_t i = 0; i < n; ++i) {
            bad |= nonfinite(g[i]);
            p[i] -= lrf * (g[i] + wdf * p[i] + l1f * sign(p[i]));
        }
    } else if (step == 1) { /* PyTorch: the buffer starts as the first gradient */
        for (size_t i = 0; i < n; ++i) {
            bad |= nonfinite(g[i]);
            const float d = g[i] + wdf * p[i] + l1f * sign(p[i]);
            buf[i] = d;
            p[i] -= lrf * (c->nesterov ? d + mu * d : d);
        }
    } else {
        for (size_t i = 0; i < n; ++i) {
            bad |= nonfinite(g[i]);
            const float d = g[i] + wdf * p[i] + l1f * sign(p[i]);
            const float b = mu * buf[i] + d;
            buf[i] = b;
            p[i] -= lrf * (c->nesterov ? d + mu * b : b);
        }
    }
    return !bad;
}

static int adam(const nn_optim_config *c, long step, float *restrict p, const float *restrict g,
                float *restrict m, float *restrict v, size_t n, double wd, double l1, double lr)
{
    const double bc1 = 1.0 - pow(c->beta1, (double)step), bc2 = 1.0 - pow(c->beta2, (double)step);
    const float b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps, l1f = (float)l1;
    const float step_size = (float)(lr / bc1), inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    /* AdamW decays the weights themselves; Adam adds the decay to the gradient */
    const float decay = c->kind == NN_ADAMW ? (float)(1.0 - lr * wd) : 1.0f;
    const float wd_grad = c->kind == NN_ADAMW ? 0.0f : (float)wd;
    uint32_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
        bad |= nonfinite(g[i]);
        const float d = g[i] + wd_grad * p[i] + l1f * sign(p[i]);
        m[i] = b1 * m[i] + (1.0f - b1) * d;
        v[i] = b2 * v[i] + (1.0f - b2) * d * d;
        p[i] = p[i] * decay - step_size * m[i] / (sqrtf(v[i]) * inv_sqrt_bc2 + eps);
    }
    return !bad;
}

/* Tensors from this size on are updated by all the trainer's threads: one thread leaves
 * memory bandwidth unused (resnet18's 11.2M parameters take 5.7-6.2 ms on 2 threads against
 * 10.2-11.5 on one). Each thread takes its own range of elements, each updated on its own, so
 * the result does not change. The ranges are split by hand rather than by an `omp parallel
 * for` on the loops, which GCC vectorizes worse once outlined, even on one thread. */
#define PARALLEL_MIN 65536

/* Elements [lo, hi) of one tensor; whether their gradients were finite. */
static int update(const nn_optim_config *c, long step, float *p, const float *g, float *m, float *v, size_t lo,
                   size_t hi, double wd, double l1, double lr)
{
    if (c->kind == NN_SGD) return sgd(c, step, p + lo, g + lo, m + lo, hi - lo, wd, l1, lr);
    return adam(c, step, p + lo, g + lo, m + lo, v + lo, hi - lo, wd, l1, lr);
}

/* Tensor t's learning rate this step, its decay and L1 factors; 0 when it is not updated. */
static double tensor_settings(const nn_optim_config *c, const nn_tensor *d, double lr, const double *lr_mult, int t,
                              double *wd, double *l1)
{
    const int regularized = c->decay_all || (d->flags & NN_DECAY);
    *wd = regularized ? c->weight_decay : 0.0;
    *l1 = regularized ? c->l1 : 0.0;
    return (d->flags & NN_TRAINABLE) ? lr * (lr_mult ? lr_mult[t] : 1.0) : 0.0;
}

/* One tensor's update from its whole gradient, the step already counted. */
static void update_tensor(nn_optimizer *o, const nn_tensor *d, int t, float *params, const float *grads, double lr,
                          const double *lr_mult)
{
    const nn_optim_config *c = &o->cfg;
    double wd, l1;
    const double tensor_lr = tensor_settings(c, d, lr, lr_mult, t, &wd, &l1);
    if (tensor_lr == 0.0) return;
    const size_t off = d->offset, n = d->size;
    float *p = params + off, *m = o->m + off, *v = o->v ? o->v + off : NULL;
    const float *g = grads + off;
    if (n < PARALLEL_MIN || omp_get_max_threads() == 1) {
        update(c, o->step, p, g, m, v, 0, n, wd, l1, tensor_lr);
        return;
    }
    #pragma omp parallel
    {
        /* the thread's share, in whole blocks of 16 elements (cache lines) */
        const size_t blocks = (n + 15) / 16, k = (size_t)omp_get_num_threads(), i = (size_t)omp_get_thread_num();
        const size_t lo = blocks * i / k * 16, hi = blocks * (i + 1) / k * 16;
        update(c, o->step, p, g, m, v, lo < n ? lo : n, hi < n ? hi : n, wd, l1, tensor_lr);
    }
}

void nn_optim_step(nn_optimizer *o, const nn_tensor *tensors, int n_tensors, float *params,
                   const float *grads, double lr, const double *lr_mult)
{
    o->step += 1;
    for (int t = 0; t < n_tensors; ++t) update_tensor(o, &tensors[t], t, params, grads, lr, lr_mult);
}

int nn_fused_init(nn_fused_update *f, nn_optimizer *o, const nn_tensor *tensors, int n_tensors,
                  const double *lr_mult)
{
    *f = (nn_fused_update){ .opt = o, .tensors = tensors, .n_tensors = n_tensors, .lr_mult = lr_mult,
                            .done = calloc(n_tensors > 0 ? (size_t)n_tensors : 1, 1), .nonfinite = -1 };
    return f->done ? 0 : -1;
}

void nn_fused_free(nn_fused_update *f)
{
    free(f->done);
    f->done = NULL;
}

void nn_fused_begin(nn_fused_update *f, double lr)
{
    f->opt->step += 1;
    f->lr = lr;
    f->nonfinite = -1;
    memset(f->done, 0, (size_t)f->n_tensors);
}

/* Called by backward, from several threads at once on disjoint elements. */
void nn_fused_apply(nn_fused_update *f, int t, size_t first, size_t count, float *p, const float *g)
{
    nn_optimizer *o = f->opt;
    const nn_tensor *d = &f->tensors[t];
    double wd, l1;
    const double tensor_lr = tensor_settings(&o->cfg, d, f->lr, f->lr_mult, t, &wd, &l1);
    if (tensor_lr == 0.0) return;
    const size_t off = d->offset + first;
    if (!update(&o->cfg, o->step, p, g, o->m + off, o->v ? o->v + off : NULL, 0, count, wd, l1, tensor_lr)) {
        #pragma omp critical(nn_fused_nonfinite)
        f->nonfinite = t;
    }
}

void nn_fused_done(nn_fused_update *f, int t) { f->done[t] = 1; }

void nn_fused_finish(nn_fused_update *f, float *params, const float *grads)
{
    for (int t = 0; t < f->n_tensors; ++t)
        if (!f->done[t]) update_tensor(f->opt, &f->tensors[t], t, params, grads, f->lr, f->lr_mult);
}
