#include "dataset.h"

#include "idx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Images as floats: unsigned bytes scaled to [0, 1], other types as they are. */
static void idx_images_to_float(const nn_array *xi, float *x)
{
    if (xi->dtype == NN_U8)
        for (size_t i = 0; i < xi->count; ++i) x[i] = xi->data[i] / 255.0f;
    else
        nn_array_to_float(xi, 0, xi->count, 1.0f, x);
}

int nn_dataset_load_idx(const char *images, const char *labels, nn_dataset *ds, char *err, size_t errlen)
{
    nn_array xi, yi;
    if (nn_idx_read(images, &xi, err, errlen) != 0) return -1;
    if (nn_idx_read(labels, &yi, err, errlen) != 0) {
        nn_array_free(&xi);
        return -1;
    }
    int rc = -1;
    if (xi.ndims != 3) {
        snprintf(err, errlen, "%s: %d dimensions, expected 3 (count x height x width)", images, xi.ndims);
    } else if (yi.ndims != 1) {
        snprintf(err, errlen, "%s: %d dimensions, expected 1 (count)", labels, yi.ndims);
    } else if (yi.dtype != NN_U8) {
        snprintf(err, errlen, "%s: labels of type %s, expected uint8 (IDX type 0x08)", labels,
                 nn_dtype_name(yi.dtype));
    } else if (xi.dims[0] != yi.dims[0]) {
        snprintf(err, errlen, "%s: %zu labels for %zu images in %s", labels, yi.dims[0], xi.dims[0], images);
    } else if (nn_array_first_nonfinite(&xi) < xi.count) {
        snprintf(err, errlen, "%s: value %zu is not finite", images, nn_array_first_nonfinite(&xi));
    } else {
        nn_dataset d = { .count = xi.dims[0], .channels = 1, .height = (int)xi.dims[1], .width = (int)xi.dims[2] };
        d.sample_size = (size_t)d.height * d.width;
        d.x = malloc(sizeof(float) * (xi.count ? xi.count : 1));
        if (!d.x) {
            snprintf(err, errlen, "%s: out of memory", images);
        } else {
            idx_images_to_float(&xi, d.x);
            d.y = yi.owned;
            yi.owned = NULL;
            *ds = d;
            rc = 0;
        }
    }
    nn_array_free(&xi);
    nn_array_free(&yi);
    return rc;
}

/* The plain file if present, else the gzipped one. */
static void pick(char *out, size_t len, const char *dir, const char *prefix, const char *kind)
{
    snprintf(out, len, "%s/%s-%s", dir, prefix, kind);
    if (access(out, R_OK) != 0) snprintf(out, len, "%s/%s-%s.gz", dir, prefix, kind);
}

int nn_dataset_load_idx_dir(const char *dir, const char *prefix, nn_dataset *ds, char *err, size_t errlen)
{
    char images[4096], labels[4096];
    pick(images, sizeof images, dir, prefix, "images-idx3-ubyte");
    pick(labels, sizeof labels, dir, prefix, "labels-idx1-ubyte");
    return nn_dataset_load_idx(images, labels, ds, err, errlen);
}

void nn_dataset_free(nn_dataset *ds)
{
    free(ds->x);
    free(ds->y);
    ds->x = NULL;
    ds->y = NULL;
}

void nn_dataset_stats(const nn_dataset *ds, const uint32_t *samples, size_t n, double *mean, double *std)
{
    const size_t plane = ds->sample_size / (size_t)ds->channels;
    for (int c = 0; c < ds->channels; ++c) {
        double sum = 0.0, sq = 0.0;
        for (size_t k = 0; k < n; ++k) {
            const float *x = ds->x + (size_t)samples[k] * ds->sample_size + (size_t)c * plane;
            for (size_t i = 0; i < plane; ++i) {
                sum += x[i];
                sq += (double)x[i] * x[i];
            }
        }
        const double count = (double)n * plane;
        mean[c] = count > 0 ? sum / count : 0.0;
        const double var = count > 0 ? sq / count - mean[c] * mean[c] : 0.0;
        std[c] = var > 1e-12 ? sqrt(var) : 1.0;
    }
}

void nn_dataset_normalize(nn_dataset *ds, const double *mean, const double *std)
{
    const size_t plane = ds->sample_size / (size_t)ds->channels;
    for (size_t k = 0; k < ds->count; ++k)
        for (int c = 0; c < ds->channels; ++c) {
            float *x = ds->x + k * ds->sample_size + (size_t)c * plane;
            for (size_t i = 0; i < plane; ++i) x[i] = (float)((x[i] - mean[c]) / std[c]);
        }
}
