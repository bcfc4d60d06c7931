/* A checkpoint read and checked on its own (checkpoint_read.c) against a
 * model: every tensor the model wants, with its shape, and nothing else; then
 * copied in. */
#include "checkpoint.h"

#include "checkpoint_fields.h"
#include "checkpoint_groups.h"

#include <stdio.h>
#include <string.h>

static const nn_ckpt_tensor *find(const nn_checkpoint *c, int group, const nn_tensor *d)
{
    char name[NN_CKPT_NAME + 16];
    snprintf(name, sizeof name, "%s%s", NN_CKPT_PREFIX[group], d->name);
    return nn_checkpoint_find(c, name);
}

void nn_ckpt_shape_text(char *out, size_t len, const long long *shape, int rank)
{
    size_t n = (size_t)snprintf(out, len, "[");
    for (int i = 0; i < rank && n < len; ++i)
        n += (size_t)snprintf(out + n, len - n, "%s%lld", i ? ", " : "", shape[i]);
    if (n < len) snprintf(out + n, len - n, "]");
}

/* Tensor d of group is in the file with its shape. */
static int check_wanted(const nn_checkpoint *c, const nn_model *m, int group, const nn_tensor *d, char *why,
                        size_t len)
{
    const nn_ckpt_tensor *t = find(c, group, d);
    long long shape[4];
    for (int i = 0; i < d->rank; ++i) shape[i] = d->shape[i];
    if (!t) {
        snprintf(why, len, "has no tensor %s%s%s", NN_CKPT_PREFIX[group], d->name,
                 group ? " (a weights-only file cannot resume training)" : "");
        return -1;
    }
    if (t->rank == d->rank && !memcmp(t->shape, shape, sizeof *shape * (size_t)d->rank) &&
        t->end - t->begin == sizeof(float) * d->size)
        return 0;
    char a[96], b[96];
    nn_ckpt_shape_text(a, sizeof a, t->shape, t->rank);
    nn_ckpt_shape_text(b, sizeof b, shape, d->rank);
    snprintf(why, len, "tensor %s%s has shape %s in the file but %s in model %s", NN_CKPT_PREFIX[group], d->name, a, b,
             m->name);
    return -1;
}

/* Whether a tensor of the file belongs to the model: one of its tensors, or
 * the optimizer state of a trainable one (which a load without that state ignores). */
static int known(const nn_model *m, const char *name)
{
    for (int g = 0; g < NN_CKPT_GROUPS; ++g) {
        const size_t k = strlen(NN_CKPT_PREFIX[g]);
        if (strncmp(name, NN_CKPT_PREFIX[g], k)) continue;
        for (int i = 0; i < m->n_tensors; ++i)
            if (nn_ckpt_in_group(g, &m->tensors[i]) && !strcmp(name + k, m->tensors[i].name)) return 1;
    }
    return 0;
}

/* No tensor of the file is foreign to the model. */
static int check_known(const nn_checkpoint *c, const nn_model *m, char *why, size_t len)
{
    int n_trainable = 0;
    for (int i = 0; i < m->n_tensors; ++i) n_trainable += nn_ckpt_in_group(1, &m->tensors[i]);
    const int most = m->n_tensors + 2 * n_trainable;
    if (c->n_tensors > most) {
        snprintf(why, len, "holds %d tensors; model %s has %d, and %d with its optimizer state", c->n_tensors, m->name,
                 m->n_tensors, most);
        return -1;
    }
    for (int k = 0; k < c->n_tensors; ++k)
        if (!known(m, c->tensors[k].name)) {
            snprintf(why, len, "tensor %s is not in model %s", c->tensors[k].name, m->name);
            return -1;
        }
    return 0;
}

int nn_checkpoint_match(const nn_checkpoint *c, const nn_model *m, const nn_optimizer *opt, char *err,
                        size_t errlen)
{
    char why[512];
    int bad = 0;
    for (int g = 0; g < NN_CKPT_GROUPS && !bad; ++g)
        for (int i = 0; i < m->n_tensors && !bad && nn_ckpt_has_group(g, opt); ++i)
            bad = nn_ckpt_in_group(g, &m->tensors[i]) && check_wanted(c, m, g, &m->tensors[i], why, sizeof why);
    if (!bad) bad = check_known(c, m, why, sizeof why);
    if (bad) snprintf(err, errlen, "%s: %s", c->path, why);
    return bad ? -1 : 0;
}

void nn_checkpoint_apply(const nn_checkpoint *c, const nn_model *m, float *params, nn_optimizer *opt)
{
    for (int g = 0; g < NN_CKPT_GROUPS; ++g) {
        float *base = nn_ckpt_group_base(g, params, opt);
        if (!base) continue;
        for (int i = 0; i < m->n_tensors; ++i) {
            const nn_tensor *d = &m->tensors[i];
            if (nn_ckpt_in_group(g, d))
                memcpy(base + d->offset, c->data + find(c, g, d)->begin, sizeof(float) * d->size);
        }
    }
}

int nn_checkpoint_load(const char *path, const nn_model *m, float *params, nn_optimizer *opt, nn_ckpt_meta *meta,
                       char *err, size_t errlen)
{
    nn_checkpoint c;
    if (nn_checkpoint_read(&c, path, err, errlen) != 0) return -1;
    const int rc = nn_checkpoint_match(&c, m, opt, err, errlen);
    if (rc == 0) {
        nn_checkpoint_apply(&c, m, params, opt);
        long long step = 0;
        if (opt) opt->step = nn_ckpt_field_integer(&c.meta, "optimizer_step", &step) == 0 ? (long)step : 0;
        if (meta) *meta = c.meta;
    }
    nn_checkpoint_free(&c);
    return rc;
}
