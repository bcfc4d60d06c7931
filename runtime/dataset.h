/* A data set as the trainer reads it: inputs kept as the file holds them (an
 * nn_array, memory-mapped where the format allows) and converted to
 * normalized floats a batch at a time; targets as floats, in the form the
 * model's loss decides (nn_task); and the names of records and classes. */
#ifndef NN_DATASET_H
#define NN_DATASET_H

#include "array.h"

#include <stddef.h>
#include <stdint.h>

#define NN_MAX_CHANNELS 64

/* What a target is, decided by the loss and the number of outputs K. */
typedef enum {
    NN_TASK_CLASS,      /* softmax_cross_entropy: a class index in [0, K) */
    NN_TASK_BINARY,     /* binary_cross_entropy, K = 1: a 0/1 label */
    NN_TASK_MULTILABEL, /* binary_cross_entropy, K > 1: K 0/1 labels */
    NN_TASK_REGRESSION, /* mse, l1: K real values */
} nn_task;

typedef struct {
    size_t count;
    int channels, height, width; /* a record: channels planes of height x width values */
    size_t sample_size;          /* channels * height * width */
    int in_height, in_width;     /* --resize: 8-bit records stored at this size, read resized to height x width
                                    (0: read as stored) */
    nn_array x;                  /* count x sample_size values */
    float x_scale;               /* 1/255 for 8-bit pixels, else 1 */
    size_t target_size;          /* floats per record in y: 1 (class index, 0/1 label) or K */
    float *y;                    /* count x target_size, or NULL (inputs to predict) */
    char **names;                /* per record (image files), or NULL */
    int n_classes;
    char **class_names;          /* n_classes names, or NULL */
    double mean[NN_MAX_CHANNELS], std[NN_MAX_CHANNELS]; /* applied as records are read */
} nn_dataset;

nn_task nn_task_of(const char *loss_name, size_t outputs);
const char *nn_task_name(nn_task t);

/* Converts labels (an [N] or [N, K] array, described by `what` in errors)
 * to targets for the task: checks the shape and every value (class indices
 * below K, 0/1 labels, finite reals). Returns 0, or -1 with "what: record
 * i ..." in err. */
int nn_dataset_set_targets(nn_dataset *ds, const nn_array *labels, nn_task task, size_t outputs, const char *what,
                           char *err, size_t errlen);
/* Reads records samples[0..n) as normalized floats into x (n x sample_size),
 * resized first when in_height is set. */
void nn_dataset_read(const nn_dataset *ds, const uint32_t *samples, int n, float *x);
/* The first record holding a NaN or infinite input, or ds->count. */
size_t nn_dataset_first_nonfinite(const nn_dataset *ds);
void nn_dataset_free(nn_dataset *ds);

/* Per-channel mean and standard deviation of the raw inputs of the listed
 * records (mean and std hold ds->channels values). */
void nn_dataset_stats(const nn_dataset *ds, const uint32_t *samples, size_t n, double *mean, double *std);
/* Records are read as (x - mean[c]) / std[c] from now on. */
void nn_dataset_normalize(nn_dataset *ds, const double *mean, const double *std);

/* Frees n names and the array holding them (either may be NULL). */
void nn_free_names(char **names, size_t n);
/* "names,with,commas" (NULL: none) as class names; -1 with the reason in err. */
int nn_dataset_set_class_names(nn_dataset *ds, const char *list, char *err, size_t errlen);
/* The class names as "a,b,c" ("" when the set has none or they do not fit). */
void nn_class_list(const nn_dataset *ds, char *out, size_t len);
/* Class k's name, or its number when the set has no names. */
const char *nn_dataset_class_name(const nn_dataset *ds, int k, char *buf, size_t len);

#endif
