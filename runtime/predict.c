#include "predict.h"

#include "run_data.h"
#include "trainer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --mean/--std if given, else the checkpoint's. */
static int normalization(const nn_options *opt, const nn_ckpt_meta *meta, int channels, nn_normalization *z)
{
    if (opt->n_mean && opt->n_mean != channels) {
        fprintf(stderr, "train: the inputs have %d channels; --mean/--std gave %d values\n", channels, opt->n_mean);
        return -1;
    }
    if (opt->n_mean) {
        z->channels = channels;
        memcpy(z->mean, opt->mean, sizeof z->mean);
        memcpy(z->std, opt->std, sizeof z->std);
        return 0;
    }
    char why[256];
    if (nn_normalization_from_meta(z, meta, channels, why, sizeof why) == 0) return 0;
    fprintf(stderr, "train: %s: %s; give it with --mean and --std\n", opt->checkpoint, why);
    return -1;
}

/* Whether rows show the true class: records with targets, of a task with classes. */
static int shows_label(const nn_dataset *ds, nn_task task)
{
    return ds->y && (task == NN_TASK_CLASS || task == NN_TASK_BINARY);
}

static void header(FILE *out, const nn_dataset *ds, nn_task task, size_t k, int logits)
{
    char buf[24];
    fprintf(out, shows_label(ds, task) ? "record,label" : "record");
    if (task == NN_TASK_CLASS) fprintf(out, ",predicted,probability");
    if (task == NN_TASK_BINARY) fprintf(out, ",predicted,probability_%s", nn_dataset_class_name(ds, 1, buf, sizeof buf));
    for (size_t j = 0; task == NN_TASK_REGRESSION && j < k; ++j) fprintf(out, ",output_%zu", j);
    for (size_t j = 0; (task == NN_TASK_CLASS || task == NN_TASK_MULTILABEL) && j < k; ++j)
        fprintf(out, ",probability_%s", nn_dataset_class_name(ds, (int)j, buf, sizeof buf));
    for (size_t j = 0; logits && task != NN_TASK_REGRESSION && j < k; ++j) fprintf(out, ",logit_%zu", j);
    fprintf(out, "\n");
}

static void row(FILE *out, const nn_dataset *ds, nn_task task, const float *z, size_t k, int logits)
{
    char buf[24];
    if (task == NN_TASK_CLASS) {
        double sum = 0, p[k];
        const int top = nn_argmax(z, (int)k);
        for (size_t j = 0; j < k; ++j) sum += p[j] = exp((double)z[j] - z[top]);
        fprintf(out, ",%s,%.6f", nn_dataset_class_name(ds, top, buf, sizeof buf), p[top] / sum);
        for (size_t j = 0; j < k; ++j) fprintf(out, ",%.6f", p[j] / sum);
    } else if (task == NN_TASK_REGRESSION) {
        for (size_t j = 0; j < k; ++j) fprintf(out, ",%.9g", z[j]);
    } else {
        if (task == NN_TASK_BINARY) fprintf(out, ",%s", nn_dataset_class_name(ds, z[0] > 0, buf, sizeof buf));
        for (size_t j = 0; j < k; ++j) fprintf(out, ",%.6f", 1.0 / (1.0 + exp(-(double)z[j])));
    }
    for (size_t j = 0; logits && task != NN_TASK_REGRESSION && j < k; ++j) fprintf(out, ",%.9g", z[j]);
    fprintf(out, "\n");
}

/* One CSV row per listed record of ds. */
static int write_predictions(nn_trainer *t, const nn_dataset *ds, const uint32_t *idx, size_t n, const char *path,
                             int logits)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        fprintf(stderr, "train: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    const nn_model *m = t->m;
    header(out, ds, t->task, m->output_size, logits);
    for (size_t start = 0; start < n; start += (size_t)m->batch) {
        const int b = (int)(n - start < (size_t)m->batch ? n - start : (size_t)m->batch);
        nn_dataset_read(ds, idx + start, b, t->x);
        m->forward(&t->s, t->x, b, 0);
        for (int i = 0; i < b; ++i) {
            const uint32_t r = idx[start + i];
            char buf[24];
            if (ds->names) fprintf(out, "%s", ds->names[r]);
            else fprintf(out, "%u", r);
            if (shows_label(ds, t->task))
                fprintf(out, ",%s", nn_dataset_class_name(ds, (int)ds->y[(size_t)r * ds->target_size], buf, sizeof buf));
            row(out, ds, t->task, t->s.acts + m->output_offset + (size_t)i * m->output_size, m->output_size, logits);
        }
    }
    const int failed = ferror(out); /* a buffer flushed early may have failed */
    if (fclose(out) != 0 || failed) {
        fprintf(stderr, "train: cannot write %s (%s)\n", path, strerror(errno));
        return -1;
    }
    printf("predictions: %s (%zu rows)\n", path, n);
    return 0;
}

/* Class names: --classes, else the checkpoint's, else the data's own. */
static int class_names(const nn_options *opt, const nn_ckpt_meta *meta, nn_dataset *ds)
{
    const char *list = opt->classes ? opt->classes : nn_ckpt_meta_get(meta, "classes");
    char err[4352];
    if (list && nn_dataset_set_class_names(ds, list, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    return 0;
}

int nn_predict_main(const nn_model *m, const nn_options *opt)
{
    nn_run_data d = { 0 };
    if (opt->input_path ? nn_run_data_load_inputs(opt, m, &d) : nn_run_data_load(opt, m, &d)) return 1;
    nn_dataset *ds = d.test_set == &d.train ? &d.train : &d.test;
    nn_trainer t;
    nn_trainer_init(&t, m, 0);
    nn_ckpt_meta meta = { 0 };
    nn_normalization z;
    int rc = nn_run_load_weights(opt->checkpoint, m, t.s.params, NULL, 0, &meta) != 0 ||
             normalization(opt, &meta, ds->channels, &z) != 0 || class_names(opt, &meta, ds) != 0;
    if (!rc) {
        nn_dataset_normalize(ds, z.mean, z.std);
        printf("predict: %s on %zu records of %s, ", opt->checkpoint, d.n_test,
               opt->input_path ? opt->input_path : opt->data_path);
        nn_normalization_print(&z, stdout);
        printf("\n");
        rc = write_predictions(&t, ds, d.test_idx, d.n_test, opt->out_path, opt->logits) != 0;
    }
    nn_trainer_free(&t);
    nn_run_data_free(&d);
    return rc;
}
