#include "dataset.h"

#include "image.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

nn_task nn_task_of(const char *loss_name, size_t outputs)
{
    if (!strcmp(loss_name, "softmax_cross_entropy")) return NN_TASK_CLASS;
    if (!strcmp(loss_name, "binary_cross_entropy")) return outputs == 1 ? NN_TASK_BINARY : NN_TASK_MULTILABEL;
    return NN_TASK_REGRESSION;
}

const char *nn_task_name(nn_task t)
{
    static const char *const names[] = { "classification", "binary classification", "multi-label classification",
                                         "regression" };
    return names[t];
}

/* Why value v cannot be a target of the task with K outputs, or NULL. */
static const char *bad_target(nn_task task, double v, size_t outputs, char *why, size_t len)
{
    if (!isfinite(v)) {
        snprintf(why, len, "target %g is not a finite number", v);
    } else if (task == NN_TASK_CLASS && (v != floor(v) || v < 0)) {
        snprintf(why, len, "label %g is not a class index (softmax_cross_entropy takes class indices 0 to %zu; "
                 "mse or l1 take real-valued targets)", v, outputs - 1);
    } else if (task == NN_TASK_CLASS && v >= (double)outputs) {
        snprintf(why, len, "label %g, but the model has %zu outputs (classes 0 to %zu)", v, outputs, outputs - 1);
    } else if ((task == NN_TASK_BINARY || task == NN_TASK_MULTILABEL) && v != 0 && v != 1) {
        snprintf(why, len, "label %g is not 0 or 1 (binary_cross_entropy takes 0/1 labels)", v);
    } else {
        return NULL;
    }
    return why;
}

/* Targets per record that the task needs from an [N] or [N, ...] label array, or 0 when its shape is wrong. */
static size_t target_width(const nn_array *labels, nn_task task, size_t outputs)
{
    const size_t per_record = labels->dims[0] ? labels->count / labels->dims[0] : 0;
    if (task == NN_TASK_CLASS || task == NN_TASK_BINARY) return per_record == 1 ? 1 : 0;
    return per_record == outputs ? outputs : 0;
}

int nn_dataset_set_targets(nn_dataset *ds, const nn_array *labels, nn_task task, size_t outputs, const char *what,
                           char *err, size_t errlen)
{
    if (labels->ndims < 1 || labels->dims[0] != ds->count) {
        snprintf(err, errlen, "%s: %zu targets for %zu inputs", what, labels->ndims ? labels->dims[0] : 0,
                 ds->count);
        return -1;
    }
    const size_t width = target_width(labels, task, outputs);
    if (width == 0) {
        const size_t per_record = ds->count ? labels->count / ds->count : 0;
        snprintf(err, errlen, "%s: %zu target values per record, but %s with %zu outputs takes %zu%s", what,
                 per_record, nn_task_name(task), outputs, task <= NN_TASK_BINARY ? (size_t)1 : outputs,
                 task == NN_TASK_CLASS ? " (a class index)" : task == NN_TASK_MULTILABEL ? " (K-hot labels)" : "");
        return -1;
    }
    float *y = malloc(sizeof(float) * (labels->count ? labels->count : 1));
    if (!y) {
        snprintf(err, errlen, "%s: out of memory for %zu targets", what, labels->count);
        return -1;
    }
    for (size_t i = 0; i < labels->count; ++i) {
        char why[192];
        const double v = nn_array_at(labels, i);
        if (bad_target(task, v, outputs, why, sizeof why)) {
            snprintf(err, errlen, "%s: record %zu: %s", what, i / width, why);
            free(y);
            return -1;
        }
        y[i] = (float)v;
    }
    free(ds->y);
    ds->y = y;
    ds->target_size = width;
    return 0;
}

/* Values of a record as stored, and of one of its planes. */
static size_t stored_plane(const nn_dataset *ds)
{
    return ds->in_height ? (size_t)ds->in_height * ds->in_width : (size_t)ds->height * ds->width;
}

static size_t stored_size(const nn_dataset *ds) { return (size_t)ds->channels * stored_plane(ds); }

/* Record r as floats (not normalized) at height x width: as stored, or resized as
 * PIL's bilinear resize of the 8-bit image (into bytes, which holds one record). */
static void record_floats(const nn_dataset *ds, size_t r, float *out, uint8_t *bytes)
{
    if (!ds->in_height) {
        nn_array_to_float(&ds->x, r * ds->sample_size, ds->sample_size, ds->x_scale, out);
        return;
    }
    /* nn_image_resize only reads the pixels (which may be a read-only mapping) */
    const nn_image im = { ds->channels, ds->in_height, ds->in_width, (uint8_t *)(ds->x.data + r * stored_size(ds)) };
    if (nn_image_resize(&im, ds->height, ds->width, bytes) != 0) {
        fprintf(stderr, "train: out of memory resizing a %dx%d record to %dx%d\n", ds->in_height, ds->in_width,
                ds->height, ds->width);
        exit(1);
    }
    for (size_t j = 0; j < ds->sample_size; ++j) out[j] = bytes[j] * ds->x_scale;
}

void nn_dataset_read(const nn_dataset *ds, const uint32_t *samples, int n, float *x)
{
    const size_t plane = (size_t)ds->height * ds->width;
    uint8_t *bytes = ds->in_height ? malloc(ds->sample_size) : NULL;
    if (ds->in_height && !bytes) {
        fprintf(stderr, "train: out of memory for a resized record\n");
        exit(1);
    }
    for (int i = 0; i < n; ++i) {
        float *out = x + (size_t)i * ds->sample_size;
        record_floats(ds, samples[i], out, bytes);
        for (int c = 0; c < ds->channels; ++c) {
            const float mean = (float)ds->mean[c], inv = (float)(1.0 / ds->std[c]);
            for (size_t j = 0; j < plane; ++j) out[c * plane + j] = (out[c * plane + j] - mean) * inv;
        }
    }
    free(bytes);
}

size_t nn_dataset_first_nonfinite(const nn_dataset *ds)
{
    const size_t at = nn_array_first_nonfinite(&ds->x);
    return stored_size(ds) ? at / stored_size(ds) : at;
}

void nn_free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; ++i) free(names[i]);
    free(names);
}

void nn_dataset_free(nn_dataset *ds)
{
    nn_array_free(&ds->x);
    free(ds->y);
    nn_free_names(ds->names, ds->count);
    nn_free_names(ds->class_names, (size_t)ds->n_classes);
    *ds = (nn_dataset){ 0 };
}

void nn_dataset_stats(const nn_dataset *ds, const uint32_t *samples, size_t n, double *mean, double *std)
{
    /* of the records as stored: resizing keeps a channel's mean, and nearly its spread */
    const size_t plane = stored_plane(ds), size = stored_size(ds);
    float *x = malloc(sizeof(float) * (size ? size : 1));
    double sum[NN_MAX_CHANNELS] = { 0 }, sq[NN_MAX_CHANNELS] = { 0 };
    for (size_t k = 0; x && k < n; ++k) {
        nn_array_to_float(&ds->x, (size_t)samples[k] * size, size, ds->x_scale, x);
        for (int c = 0; c < ds->channels; ++c)
            for (size_t i = 0; i < plane; ++i) {
                sum[c] += x[c * plane + i];
                sq[c] += (double)x[c * plane + i] * x[c * plane + i];
            }
    }
    free(x);
    for (int c = 0; c < ds->channels; ++c) {
        const double count = (double)n * plane;
        mean[c] = count > 0 ? sum[c] / count : 0.0;
        const double var = count > 0 ? sq[c] / count - mean[c] * mean[c] : 0.0;
        std[c] = var > 1e-12 ? sqrt(var) : 1.0;
    }
}

void nn_dataset_normalize(nn_dataset *ds, const double *mean, const double *std)
{
    for (int c = 0; c < ds->channels; ++c) {
        ds->mean[c] = mean[c];
        ds->std[c] = std[c];
    }
}

int nn_dataset_set_class_names(nn_dataset *ds, const char *list, char *err, size_t errlen)
{
    int n = 1;
    for (const char *p = list; *p; ++p) n += *p == ',';
    char **names = calloc((size_t)n, sizeof *names);
    if (!names) {
        snprintf(err, errlen, "class names '%s': out of memory", list);
        return -1;
    }
    const char *p = list;
    for (int k = 0; k < n; ++k) {
        const size_t len = strcspn(p, ",");
        names[k] = len ? strndup(p, len) : NULL;
        if (!names[k]) {
            snprintf(err, errlen, "class names '%s': %s", list, len ? "out of memory" : "an empty name");
            nn_free_names(names, (size_t)n);
            return -1;
        }
        p += len + (p[len] == ',');
    }
    nn_free_names(ds->class_names, (size_t)ds->n_classes);
    ds->class_names = names;
    ds->n_classes = n;
    return 0;
}

const char *nn_dataset_class_name(const nn_dataset *ds, int k, char *buf, size_t len)
{
    if (ds->class_names && k >= 0 && k < ds->n_classes) return ds->class_names[k];
    snprintf(buf, len, "%d", k);
    return buf;
}

void nn_class_list(const nn_dataset *ds, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int k = 0; ds->class_names && k < ds->n_classes && used < len; ++k)
        used += (size_t)snprintf(out + used, len - used, "%s%s", k ? "," : "", ds->class_names[k]);
    if (used >= len) out[0] = '\0'; /* too long for a checkpoint: left out rather than cut */
}
