#include "run_data.h"

#include "cifar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_data(const nn_model *m, const nn_dataset *ds, const char *what)
{
    if (ds->sample_size != m->input_size) {
        fprintf(stderr, "train: %s images are %dx%dx%d (%zu values) but model %s takes %zu values per input\n",
                what, ds->channels, ds->height, ds->width, ds->sample_size, m->name, m->input_size);
        return -1;
    }
    if (ds->channels > NN_MAX_CHANNELS) {
        fprintf(stderr, "train: %s images have %d channels; at most %d are supported\n", what, ds->channels,
                NN_MAX_CHANNELS);
        return -1;
    }
    for (size_t i = 0; i < ds->count; ++i) {
        if (ds->y[i] >= m->output_size) {
            fprintf(stderr, "train: %s record %zu has label %d but model %s has %zu outputs\n", what, i, ds->y[i],
                    m->name, m->output_size);
            return -1;
        }
    }
    return 0;
}

static int load_split(const nn_options *opt, int cifar, int training, nn_dataset *ds)
{
    char err[4352];
    const int rc = cifar ? nn_cifar10_load_dir(opt->data_dir, training, ds, err, sizeof err)
                         : nn_dataset_load_idx_dir(opt->data_dir, training ? "train" : "t10k", ds, err, sizeof err);
    if (rc != 0) fprintf(stderr, "train: %s\n", err);
    return rc;
}

int nn_run_data_load(const nn_options *opt, const nn_model *m, nn_dataset *train, nn_dataset *test)
{
    nn_data_format format = opt->format;
    if (format == NN_FORMAT_AUTO) {
        char probe[4096];
        snprintf(probe, sizeof probe, "%s/data_batch_1.bin", opt->data_dir);
        format = access(probe, F_OK) == 0 ? NN_FORMAT_CIFAR10 : NN_FORMAT_IDX;
    }
    const int cifar = format == NN_FORMAT_CIFAR10;
    if (train && (load_split(opt, cifar, 1, train) != 0 || check_data(m, train, "training") != 0)) return -1;
    if (load_split(opt, cifar, 0, test) != 0 || check_data(m, test, "test") != 0) {
        if (train) nn_dataset_free(train);
        return -1;
    }
    return 0;
}

static int parse_list(const char *text, double *out, int n)
{
    for (int i = 0; i < n; ++i) {
        char *end;
        if (!text) return -1;
        out[i] = strtod(text, &end);
        if (end == text || (i + 1 < n ? *end != ',' : *end != '\0')) return -1;
        text = end + 1;
    }
    return 0;
}

int nn_normalization_from_meta(nn_normalization *z, const nn_ckpt_meta *meta, int channels)
{
    z->channels = channels;
    if (parse_list(nn_ckpt_meta_get(meta, "mean"), z->mean, channels) != 0 ||
        parse_list(nn_ckpt_meta_get(meta, "std"), z->std, channels) != 0)
        return -1;
    for (int c = 0; c < channels; ++c)
        if (!(z->std[c] > 0)) return -1;
    return 0;
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
    char text[96];
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
