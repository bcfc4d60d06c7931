/* The data formats a trainer reads, and the detection of which one a --data
 * path holds. A source yields splits as read from the files: inputs [N, ...]
 * and labels [N] or [N, K] as nn_arrays, plus record and class names; the
 * run's data (run_data.c) fits them to the model. */
#ifndef NN_DATA_SOURCE_H
#define NN_DATA_SOURCE_H

#include "array.h"

#include <stddef.h>

typedef enum {
    NN_FORMAT_AUTO, NN_FORMAT_IDX, NN_FORMAT_CIFAR10, NN_FORMAT_NPZ, NN_FORMAT_NPY, NN_FORMAT_CSV, NN_FORMAT_IMAGES,
} nn_data_format;

typedef struct {
    const char *path;
    nn_data_format format;
    const char *arrays[4];     /* npz/npy names: training inputs, training labels, test inputs, test labels */
    const char *targets;       /* CSV: target columns "a,b" (NULL: the last one) */
    int channels, height, width; /* images: decoded to this size */
    int skip_bad;              /* images: skip undecodable files */
    size_t input_size;         /* inputs to predict: values per record (a CSV's target columns are dropped) */
} nn_source_options;

typedef struct {
    nn_array x, labels;        /* labels.count is 0 when the split has none */
    float x_scale;             /* 1/255 for 8-bit pixels */
    char **names;              /* per record, or NULL */
    int n_classes;
    char **class_names;        /* or NULL */
    size_t skipped;            /* images left out by skip_bad */
    char x_what[4200], y_what[4200]; /* the files (and arrays), for messages */
} nn_split;

const char *nn_format_name(nn_data_format f);
/* "idx", "npz", ... to a format; -1 if unknown. */
int nn_format_parse(const char *name, nn_data_format *f);
/* The format of o->path when o->format is auto, or -1 with what was looked for in err. */
int nn_source_detect(const nn_source_options *o, nn_data_format *f, char *err, size_t errlen);
/* Reads the training (training = 1) or test split. Returns 0, 1 when the
 * source has no such test split, or -1 with "file: reason" in err. */
int nn_source_read(const nn_source_options *o, nn_data_format f, int training, nn_split *out, char *err,
                   size_t errlen);
/* Reads inputs to predict from o->path: an image, a folder of images, an
 * .npy file or a CSV file. Returns 0, or -1 with "file: reason" in err. */
int nn_source_read_inputs(const nn_source_options *o, nn_split *out, char *err, size_t errlen);
void nn_split_free(nn_split *s);

#endif
