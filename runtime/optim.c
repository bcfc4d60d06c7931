#include "optim.h"

#include <math.h>
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
static double sign(double w) { return (w > 0) - (w < 0); }

static void sgd(const nn_optim_config *c, long step, float *p, const float *g, float *buf, size_t n,
                double wd, double l1, double lr)
{
    for (size_t i = 0; i < n; ++i) {
        double d = (double)g[i] + wd * p[i] + l1 * sign(p[i]);
        if (c->momentum != 0.0) {
            /* PyTorch: the buffer starts as the first gradient. */
            const double b = step == 1 ? d : c->momentum * buf[i] + d;
            buf[i] = (float)b;
            d = c->nesterov ? d + c->momentum * b : b;
        }
        p[i] = (float)(p[i] - lr * d);
    }
}

static void adam(const nn_optim_config *c, long step, float *p, const float *g, float *m, float *v,
                 size_t n, double wd, double l1, double lr)
{
    const double bc1 = 1.0 - pow(c->beta1, (double)step), bc2 = 1.0 - pow(c->beta2, (double)step);
    const int decoupled = c->kind == NN_ADAMW;
    for (size_t i = 0; i < n; ++i) {
        double pi = p[i];
        double d = g[i] + l1 * sign(pi);
        if (decoupled)
            pi -= lr * wd * pi;
        else
            d += wd * pi;
        m[i] = (float)(c->beta1 * m[i] + (1.0 - c->beta1) * d);
        v[i] = (float)(c->beta2 * v[i] + (1.0 - c->beta2) * d * d);
        const double mhat = m[i] / bc1, vhat = v[i] / bc2;
        p[i] = (float)(pi - lr * mhat / (sqrt(vhat) + c->eps));
    }
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
        const size_t off = d->offset;
        if (c->kind == NN_SGD)
            sgd(c, o->step, params + off, grads + off, o->m + off, d->size, wd, l1, tensor_lr);
        else
            adam(c, o->step, params + off, grads + off, o->m + off, o->v + off, d->size, wd, l1, tensor_lr);
    }
}
