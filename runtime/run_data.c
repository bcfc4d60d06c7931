#include "run_data.h"

#include "checkpoint_fields.h"
#include "data_source.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nn_source_options source_options(const nn_options *opt, const nn_model *m)
{
    nn_source_options o = { .path = opt->data_path, .format = opt->format, .targets = opt->targets,
                            .skip_bad = opt->skip_bad };
    memcpy(o.arrays, opt->arrays, sizeof o.arrays);
    o.channels = m->input_rank == 3 ? m->input_shape[0] : 1;
    o.height = m->input_rank == 3 ? m->input_shape[1] : 1;
    o.width = m->input_rank == 3 ? m->input_shape[2] : 1;
    return o;
}

/* "[N, 28, 28]" */
static void dims_text(char *out, size_t len, const nn_array *a)
{
    size_t n = (size_t)snprintf(out, len, "[");
    for (int d = 0; d < a->ndims && n < len; ++d) n += (size_t)snprintf(out + n, len - n, "%s%zu", d ? ", " : "", a->dims[d]);
    if (n < len) snprintf(out + n, len - n, "]");
}

/* The record's dimensions equal the model's input shape once dimensions of size 1 are dropped. */
static int same_shape(const nn_array *x, const nn_model *m)
{
    size_t a[NN_ARRAY_MAX_DIMS], b[3];
    int na = 0, nb = 0;
    for (int d = 1; d < x->ndims; ++d)
        if (x->dims[d] != 1) a[na++] = x->dims[d];
    for (int d = 0; d < m->input_rank; ++d)
        if (m->input_shape[d] != 1) b[nb++] = (size_t)m->input_shape[d];
    if (na != nb) return 0;
    for (int d = 0; d < na; ++d)
        if (a[d] != b[d]) return 0;
    return 1;
}

static void model_shape_text(char *out, size_t len, const nn_model *m)
{
    size_t n = 0;
    out[0] = '\0';
    for (int d = 0; d < m->input_rank && n < len; ++d)
        n += (size_t)snprintf(out + n, len - n, "%s%d", d ? "x" : "", m->input_shape[d]);
}

/* The product of the dimensions after the first (0 for fewer than two dimensions). */
static size_t values_per_record(const nn_array *x)
{
    size_t n = x->ndims >= 2;
    for (int d = 1; d < x->ndims; ++d) n *= x->dims[d];
    return n;
}

/* --resize: the split's records are 8-bit images of the model's channels, of
 * their own size, read resized to the model's (ds->in_height, in_width); the
 * model's size itself is the size --resize names. Returns 0, or -1 after
 * printing why. */
static int fit_resize(const nn_split *s, const nn_model *m, const nn_options *opt, nn_dataset *ds)
{
    char have[160], want[64];
    dims_text(have, sizeof have, &s->x);
    model_shape_text(want, sizeof want, m);
    if (m->input_rank != 3 || m->input_shape[1] != opt->resize_h || m->input_shape[2] != opt->resize_w) {
        fprintf(stderr, "train: --resize %dx%d: model %s takes %s\n", opt->resize_h, opt->resize_w, m->name, want);
        return -1;
    }
    const int c = m->input_shape[0], d = s->x.ndims;
    if (!(d == 4 && s->x.dims[1] == (size_t)c) && !(d == 3 && c == 1)) {
        fprintf(stderr, "train: %s: inputs are %s; --resize takes images [N, %d, H, W] for model %s (%s)\n",
                s->x_what, have, c, m->name, want);
        return -1;
    }
    if (s->x.dtype != NN_U8) {
        fprintf(stderr, "train: %s: --resize resizes 8-bit images, but the inputs are not uint8\n", s->x_what);
        return -1;
    }
    if (s->x.dims[d - 2] > 65536 || s->x.dims[d - 1] > 65536) {
        fprintf(stderr, "train: %s: inputs are %s; --resize takes images of at most 65536x65536\n", s->x_what, have);
        return -1;
    }
    ds->in_height = (int)s->x.dims[d - 2];
    ds->in_width = (int)s->x.dims[d - 1];
    if (ds->in_height == opt->resize_h && ds->in_width == opt->resize_w) ds->in_height = ds->in_width = 0;
    return 0;
}

/* Moves the split's inputs into ds, checked against the model's input (or,
 * with --resize, fitted to it); role ("training", "test" or "input") names
 * the set in messages, and the inputs of a test split are reshaped without a note. */
static int fit_inputs(nn_split *s, const nn_model *m, const nn_options *opt, nn_dataset *ds, const char *role)
{
    char have[160], want[64];
    dims_text(have, sizeof have, &s->x);
    model_shape_text(want, sizeof want, m);
    const size_t count = s->x.ndims ? s->x.dims[0] : 0, per_record = values_per_record(&s->x);
    if (opt->resize_h && fit_resize(s, m, opt, ds) != 0) return -1;
    if (per_record != m->input_size && !ds->in_height) {
        fprintf(stderr, "train: %s: inputs are %s (%zu values per record), but model %s takes %s (%zu values)\n",
                s->x_what, have, per_record, m->name, want, m->input_size);
        return -1;
    }
    if (count == 0) {
        fprintf(stderr, "train: %s: 0 records: the %s set is empty\n", s->x_what, role);
        return -1;
    }
    if (strcmp(role, "test") && !same_shape(&s->x, m) && !ds->in_height)
        printf("note: %s: inputs %s read as %zu records of %s\n", s->x_what, have, count, want);
    ds->count = count;
    ds->channels = m->input_rank >= 2 ? m->input_shape[0] : 1;
    ds->height = m->input_rank == 3 ? m->input_shape[1] : 1;
    ds->width = m->input_shape[m->input_rank - 1];
    ds->sample_size = m->input_size;
    ds->x = s->x;
    ds->x_scale = s->x_scale;
    ds->names = s->names;
    s->x = (nn_array){ 0 };
    s->names = NULL;
    for (int c = 0; c < ds->channels; ++c) ds->std[c] = 1.0;
    if (ds->channels > NN_MAX_CHANNELS) {
        fprintf(stderr, "train: model %s takes %d channels; at most %d are supported\n", m->name, ds->channels,
                NN_MAX_CHANNELS);
        return -1;
    }
    const size_t bad = nn_dataset_first_nonfinite(ds);
    if (bad < ds->count) {
        fprintf(stderr, "train: %s: record %zu: an input is NaN or infinite\n", s->x_what, bad);
        return -1;
    }
    return 0;
}

/* Class names: --classes, else the source's (folder names); checked against the outputs. */
static int fit_classes(nn_split *s, const nn_options *opt, nn_task task, const nn_model *m, nn_dataset *ds)
{
    char err[4352];
    if (opt->classes && nn_dataset_set_class_names(ds, opt->classes, err, sizeof err) != 0) {
        fprintf(stderr, "train: --classes: %s\n", err);
        return -1;
    }
    if (!opt->classes && s->class_names) {
        ds->class_names = s->class_names;
        ds->n_classes = s->n_classes;
        s->class_names = NULL;
    }
    const int want = task == NN_TASK_BINARY ? 2 : (int)m->output_size;
    if (ds->class_names && task != NN_TASK_REGRESSION && ds->n_classes != want) {
        fprintf(stderr, "train: %s: %d classes, but model %s with %s takes %d\n",
                opt->classes ? "--classes" : s->x_what, ds->n_classes, m->name, m->loss_name, want);
        return -1;
    }
    return 0;
}

/* Reads one split and fits it to the model. Returns 0, 1 when the source has no such test split, or -1. */
static int load_split(const nn_options *opt, const nn_model *m, nn_data_format f, int training, nn_task task,
                      nn_dataset *ds)
{
    const nn_source_options so = source_options(opt, m);
    char err[4352];
    nn_split s;
    const int rc = nn_source_read(&so, f, training, &s, err, sizeof err);
    if (rc != 0) {
        if (rc < 0) fprintf(stderr, "train: %s\n", err);
        return rc;
    }
    if (s.skipped) printf("data: %zu undecodable images skipped (--skip-bad)\n", s.skipped);
    int bad = fit_inputs(&s, m, opt, ds, training ? "training" : "test") != 0 || fit_classes(&s, opt, task, m, ds) != 0;
    if (!bad && s.labels.count == 0) {
        fprintf(stderr, "train: %s: no targets for the %s records\n", s.x_what, training ? "training" : "test");
        bad = 1;
    }
    if (!bad && nn_dataset_set_targets(ds, &s.labels, task, m->output_size, s.y_what, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        bad = 1;
    }
    nn_split_free(&s);
    if (bad) nn_dataset_free(ds);
    return bad ? -1 : 0;
}

static uint32_t *range(size_t n)
{
    uint32_t *a = malloc(sizeof(uint32_t) * (n ? n : 1));
    for (size_t i = 0; a && i < n; ++i) a[i] = (uint32_t)i;
    return a;
}

/* A test split drawn from the training records (seeded), the rest left for training. */
static int hold_out_test(const nn_options *opt, nn_run_data *d)
{
    const size_t n = d->train.count, n_test = (size_t)(opt->test_split * (double)n);
    if (n_test == 0 || n_test == n) {
        fprintf(stderr, "train: %s has no test split, and --test-split %g of %zu records leaves %s\n",
                opt->data_path, opt->test_split, n, n_test ? "no training records" : "no test records");
        return -1;
    }
    nn_rng rng;
    nn_rng_seed(&rng, opt->seed ^ 0x7e575e7ULL);
    nn_rng_shuffle(&rng, d->pool, (uint32_t)n);
    d->test_idx = malloc(sizeof(uint32_t) * n_test);
    if (!d->test_idx) {
        fprintf(stderr, "train: out of memory for the test split\n");
        return -1;
    }
    memcpy(d->test_idx, d->pool + (n - n_test), sizeof(uint32_t) * n_test);
    d->n_test = n_test;
    d->n_pool = n - n_test;
    d->test_set = &d->train;
    printf("data: %s has no test split; %zu of its records held out for testing (--test-split %g)\n",
           opt->data_path, n_test, opt->test_split);
    return 0;
}

int nn_run_data_load(const nn_options *opt, const nn_model *m, nn_run_data *d)
{
    *d = (nn_run_data){ .task = nn_task_of(m->loss_name, m->output_size) };
    const nn_source_options so = source_options(opt, m);
    nn_data_format f;
    char err[4352];
    if (nn_source_detect(&so, &f, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    if (load_split(opt, m, f, 1, d->task, &d->train) != 0) return -1;
    const int rc = load_split(opt, m, f, 0, d->task, &d->test);
    d->pool = range(d->train.count);
    d->n_pool = d->train.count;
    d->test_set = &d->test;
    if (rc == 0) {
        d->test_idx = range(d->test.count);
        d->n_test = d->test.count;
    }
    if (rc < 0 || !d->pool || (rc == 0 && !d->test_idx) || (rc == 1 && hold_out_test(opt, d) != 0)) {
        nn_run_data_free(d);
        return -1;
    }
    return 0;
}

int nn_run_data_load_inputs(const nn_options *opt, const nn_model *m, nn_run_data *d)
{
    *d = (nn_run_data){ .task = nn_task_of(m->loss_name, m->output_size) };
    nn_source_options so = source_options(opt, m);
    so.path = opt->input_path;
    so.input_size = m->input_size;
    char err[4352];
    nn_split s;
    if (nn_source_read_inputs(&so, &s, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    if (s.skipped) printf("data: %zu undecodable images skipped (--skip-bad)\n", s.skipped);
    const int bad = fit_inputs(&s, m, opt, &d->test, "input");
    nn_split_free(&s);
    d->test_set = &d->test;
    d->n_test = d->test.count;
    d->test_idx = range(d->n_test);
    if (bad || !d->test_idx) {
        nn_run_data_free(d);
        return -1;
    }
    return 0;
}

void nn_run_data_free(nn_run_data *d)
{
    nn_dataset_free(&d->train);
    nn_dataset_free(&d->test);
    free(d->pool);
    free(d->test_idx);
    *d = (nn_run_data){ 0 };
}

int nn_run_load_weights(const char *path, const nn_model *m, float *params, nn_normalization *norm, int channels,
                        nn_ckpt_meta *meta)
{
    nn_ckpt_meta own = { 0 };
    char err[4352], why[256];
    if (!meta) meta = &own;
    if (nn_checkpoint_load(path, m, params, NULL, meta, err, sizeof err) != 0) {
        fprintf(stderr, "train: %s\n", err);
        return -1;
    }
    if (norm && nn_normalization_from_meta(norm, meta, channels, why, sizeof why) != 0) {
        fprintf(stderr, "train: %s: %s\n", path, why);
        return -1;
    }
    return 0;
}

void nn_model_input_text(const nn_model *m, char *out, size_t len) { model_shape_text(out, len, m); }

/* Field key as `channels` numbers into out. */
static int channel_list(const nn_ckpt_meta *meta, const char *key, double *out, int channels, char *why, size_t len)
{
    const int n = nn_ckpt_field_numbers(meta, key, out, NN_MAX_CHANNELS);
    if (n == channels) return 0;
    if (n < 0)
        snprintf(why, len, "field '%s' is missing: no input normalization", key);
    else
        snprintf(why, len, "field '%s': %d values, but the inputs have %d channel%s", key, n, channels,
                 channels == 1 ? "" : "s");
    return -1;
}

int nn_normalization_from_meta(nn_normalization *z, const nn_ckpt_meta *meta, int channels, char *why, size_t len)
{
    z->channels = channels;
    return channel_list(meta, "mean", z->mean, channels, why, len) != 0 ||
                   channel_list(meta, "std", z->std, channels, why, len) != 0
               ? -1
               : 0;
}

static void format_list(char *out, size_t len, const double *v, int n)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used < len; ++i)
        used += (size_t)snprintf(out + used, len - used, "%s%.9g", i ? "," : "", v[i]);
}

void nn_normalization_to_meta(const nn_normalization *z, nn_ckpt_meta *meta)
{
    char text[NN_CKPT_META_VALUE];
    format_list(text, sizeof text, z->mean, z->channels);
    nn_ckpt_meta_set(meta, "mean", text);
    format_list(text, sizeof text, z->std, z->channels);
    nn_ckpt_meta_set(meta, "std", text);
}

void nn_normalization_print(const nn_normalization *z, FILE *out)
{
    fprintf(out, "normalized with mean");
    for (int c = 0; c < z->channels; ++c) fprintf(out, "%s%.4f", c ? "," : " ", z->mean[c]);
    fprintf(out, ", std");
    for (int c = 0; c < z->channels; ++c) fprintf(out, "%s%.4f", c ? "," : " ", z->std[c]);
}
