/* --init FILE with --init-skip PATTERN: a model starts from another's weights
 * (a pretrained network with a new head), so unlike a resume the file may
 * lack, or hold in another shape, the tensors the patterns name. Everything
 * else is checked as strictly as nn_checkpoint_match does. */
#include "checkpoint.h"

#include "lr_rules.h"

#include <stdio.h>
#include <string.h>

static int skipped(const char *name, const char *const *skip, int n_skip)
{
    for (int i = 0; i < n_skip; ++i)
        if (nn_glob_match(skip[i], name)) return 1;
    return 0;
}

/* The model's tensor called name, or NULL. */
static const nn_tensor *model_tensor(const nn_model *m, const char *name)
{
    for (int i = 0; i < m->n_tensors; ++i)
        if (!strcmp(m->tensors[i].name, name)) return &m->tensors[i];
    return NULL;
}

/* A name without the optimizer prefix its state carries. */
static const char *base_name(const char *name)
{
    static const char *const prefixes[] = { "optimizer.m.", "optimizer.v." };
    for (int i = 0; i < 2; ++i)
        if (!strncmp(name, prefixes[i], strlen(prefixes[i]))) return name + strlen(prefixes[i]);
    return name;
}

/* "layer4.1.fc.*" for "layer4.1.fc.weight": the pattern that would skip the tensor's layer. */
static void layer_pattern(char *out, size_t len, const char *name)
{
    const char *dot = strrchr(name, '.');
    snprintf(out, len, "%.*s.*", dot ? (int)(dot - name) : (int)strlen(name), name);
}

/* Every model tensor not skipped is in the file with its shape. */
static int check_model_tensors(const nn_checkpoint *c, const nn_model *m, const char *const *skip, int n_skip,
                               char *why, size_t len)
{
    char hint[200];
    for (int i = 0; i < m->n_tensors; ++i) {
        const nn_tensor *d = &m->tensors[i];
        if (skipped(d->name, skip, n_skip)) continue;
        const nn_ckpt_tensor *t = nn_checkpoint_find(c, d->name);
        layer_pattern(hint, sizeof hint, d->name);
        if (!t) {
            snprintf(why, len, "has no tensor %s (--init-skip '%s' leaves it freshly initialized)", d->name, hint);
            return -1;
        }
        long long shape[4];
        for (int k = 0; k < d->rank; ++k) shape[k] = d->shape[k];
        if (t->rank == d->rank && !memcmp(t->shape, shape, sizeof *shape * (size_t)d->rank)) continue;
        char a[96], b[96];
        nn_ckpt_shape_text(a, sizeof a, t->shape, t->rank);
        nn_ckpt_shape_text(b, sizeof b, shape, d->rank);
        snprintf(why, len, "tensor %s has shape %s in the file but %s in model %s (--init-skip '%s' leaves it "
                 "freshly initialized)", d->name, a, b, m->name, hint);
        return -1;
    }
    return 0;
}

/* Every tensor of the file is the model's or skipped, and every pattern matches something. */
static int check_file_tensors(const nn_checkpoint *c, const nn_model *m, const char *const *skip, int n_skip,
                              char *why, size_t len)
{
    for (int k = 0; k < c->n_tensors; ++k) {
        const char *name = base_name(c->tensors[k].name);
        if (!model_tensor(m, name) && !skipped(name, skip, n_skip)) {
            snprintf(why, len, "tensor %s is not in model %s (--init-skip leaves out tensors it matches)",
                     c->tensors[k].name, m->name);
            return -1;
        }
    }
    for (int i = 0; i < n_skip; ++i) {
        int used = 0;
        for (int t = 0; t < m->n_tensors && !used; ++t) used = nn_glob_match(skip[i], m->tensors[t].name);
        for (int k = 0; k < c->n_tensors && !used; ++k) used = nn_glob_match(skip[i], base_name(c->tensors[k].name));
        if (!used) {
            snprintf(why, len, "--init-skip '%s' matches no tensor of model %s or of the file", skip[i], m->name);
            return -1;
        }
    }
    return 0;
}

int nn_checkpoint_init(const char *path, const nn_model *m, float *params, const char *const *skip, int n_skip,
                       char *err, size_t errlen)
{
    nn_checkpoint c;
    if (nn_checkpoint_read(&c, path, err, errlen) != 0) return -1;
    char why[768];
    int loaded = -1;
    if (check_model_tensors(&c, m, skip, n_skip, why, sizeof why) != 0 ||
        check_file_tensors(&c, m, skip, n_skip, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: %s", path, why);
    } else {
        loaded = 0;
        for (int i = 0; i < m->n_tensors; ++i) {
            const nn_tensor *d = &m->tensors[i];
            if (skipped(d->name, skip, n_skip)) continue;
            memcpy(params + d->offset, c.data + nn_checkpoint_find(&c, d->name)->begin, sizeof(float) * d->size);
            loaded++;
        }
    }
    nn_checkpoint_free(&c);
    return loaded;
}
