#include "trainer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *nn_alloc(size_t count, size_t size, const char *what)
{
    void *p = calloc(count ? count : 1, size);
    if (!p) {
        fprintf(stderr, "train: out of memory allocating %s (%zu x %zu bytes)\n", what, count, size);
        exit(1);
    }
    return p;
}

void nn_trainer_init(nn_trainer *t, const nn_model *m, int training)
{
    *t = (nn_trainer){ .m = m, .task = nn_task_of(m->loss_name, m->output_size) };
    t->s.params = nn_alloc(m->n_params, sizeof(float), "parameters");
    t->s.acts = nn_alloc(m->n_acts, sizeof(float), "activations");
    t->s.work = nn_alloc(m->n_work, sizeof(float), "workspace");
    t->s.index = nn_alloc(m->n_index, sizeof(int32_t), "pooling indices");
    if (training) {
        t->s.grads = nn_alloc(m->n_params, sizeof(float), "gradients");
        t->s.dacts = nn_alloc(m->n_acts, sizeof(float), "activation gradients");
    }
    t->x = nn_alloc((size_t)m->batch * m->input_size, sizeof(float), "input batch");
    t->scratch = nn_alloc(m->input_size, sizeof(float), "augmentation scratch");
    t->target = nn_alloc((size_t)m->batch * m->output_size, sizeof(float), "target batch");
}

void nn_trainer_free(nn_trainer *t)
{
    free(t->s.params);
    free(t->s.grads);
    free(t->s.acts);
    free(t->s.dacts);
    free(t->s.work);
    free(t->s.index);
    free(t->x);
    free(t->scratch);
    free(t->target);
}

void nn_trainer_gather_into(nn_trainer *t, const nn_dataset *ds, const uint32_t *samples, int n,
                            const nn_augment *augment, float *x, float *target)
{
    const nn_model *m = t->m;
    const size_t k = m->output_size;
    nn_dataset_read(ds, samples, n, x);
    memset(target, 0, sizeof(float) * (size_t)n * k);
    for (int i = 0; i < n; ++i) {
        if (augment)
            nn_augment_image(augment, x + (size_t)i * m->input_size, ds->channels, ds->height, ds->width, t->fill,
                             t->augment_rng, t->scratch);
        const float *y = ds->y + (size_t)samples[i] * ds->target_size;
        if (t->task == NN_TASK_CLASS) target[(size_t)i * k + (size_t)y[0]] = 1.0f;
        else memcpy(target + (size_t)i * k, y, sizeof(float) * k);
    }
}

void nn_trainer_gather(nn_trainer *t, const nn_dataset *ds, const uint32_t *samples, int n, const nn_augment *augment)
{
    nn_trainer_gather_into(t, ds, samples, n, augment, t->x, t->target);
}

/* Whether output z (K values) gets target t right: the top class, every label at 0.5. */
static int hit(nn_task task, const float *z, const float *t, int k)
{
    if (task == NN_TASK_CLASS) return nn_argmax(z, k) == (int)t[0];
    for (int j = 0; j < k; ++j)
        if ((z[j] > 0) != (t[j] > 0.5f)) return 0; /* logits: p > 0.5 where z > 0 */
    return 1;
}

void nn_trainer_count(nn_tally *c, const nn_trainer *t, const nn_dataset *ds, const uint32_t *samples, int n,
                      double loss)
{
    const float *out = t->s.acts + t->m->output_offset;
    const int k = (int)t->m->output_size;
    if (t->task != NN_TASK_REGRESSION)
        for (int i = 0; i < n; ++i)
            c->correct += (size_t)hit(t->task, out + (size_t)i * k, ds->y + (size_t)samples[i] * ds->target_size, k);
    c->loss_sum += loss * n;
    c->seen += (size_t)n;
}

nn_tally nn_trainer_evaluate(nn_trainer *t, const nn_dataset *ds, const uint32_t *samples, size_t total,
                             nn_eval *metrics)
{
    nn_tally c = { 0 };
    const size_t batch = (size_t)t->m->batch;
    /* the loss writes its gradient, which evaluation does not need: give it scratch space */
    float *keep = t->s.dacts;
    if (!keep) t->s.dacts = nn_alloc(t->m->n_acts, sizeof(float), "activation gradients");
    for (size_t start = 0; start < total; start += batch) {
        const int n = (int)(total - start < batch ? total - start : batch);
        nn_trainer_gather(t, ds, samples + start, n, NULL);
        t->m->forward(&t->s, t->x, n, 0);
        nn_trainer_count(&c, t, ds, samples + start, n, t->m->loss(&t->s, t->target, n));
        if (metrics) nn_eval_add(metrics, t->s.acts + t->m->output_offset, ds, samples + start, n);
    }
    if (!keep) {
        free(t->s.dacts);
        t->s.dacts = NULL;
    }
    return c;
}
