/* The data of a run: the training and test sets read from --data (format
 * detected or forced), fitted to the model's input and to the targets its
 * loss takes, checked record by record before anything is written; the
 * held-out test split when the files have none; and the per-channel
 * normalization, which checkpoints carry (metadata "mean" and "std") so that
 * evaluation, prediction and distillation teachers see inputs as training did. */
#ifndef NN_RUN_DATA_H
#define NN_RUN_DATA_H

#include "checkpoint.h"
#include "dataset.h"
#include "nn_model.h"
#include "options.h"

#include <stdio.h>

typedef struct {
    int channels;
    double mean[NN_MAX_CHANNELS], std[NN_MAX_CHANNELS];
} nn_normalization;

typedef struct {
    nn_task task;
    nn_dataset train, test;   /* test.count is 0 when the test split is held out of train */
    const nn_dataset *test_set; /* &test, or &train */
    uint32_t *pool;           /* training records for training and validation */
    size_t n_pool;
    uint32_t *test_idx;       /* test records of *test_set */
    size_t n_test;
} nn_run_data;


/* Loads and checks the training and test sets. Returns 0, or -1 after printing the reason. */
int nn_run_data_load(const nn_options *opt, const nn_model *m, nn_run_data *d);
/* Loads inputs without targets (--predict --input: an image, a folder of
 * images, an .npy or a CSV) into d->test, every record listed in d->test_idx. */
int nn_run_data_load_inputs(const nn_options *opt, const nn_model *m, nn_run_data *d);
void nn_run_data_free(nn_run_data *d);

/* Loads a checkpoint's weights and buffers (not its optimizer state), for
 * evaluation, prediction, a teacher or --init; and its normalization for
 * `channels` channels when norm is given, its metadata when meta is. Returns
 * 0, or -1 after printing the reason. */
int nn_run_load_weights(const char *path, const nn_model *m, float *params, nn_normalization *norm, int channels,
                        nn_ckpt_meta *meta);
/* "1x28x28": the model's input shape. */
void nn_model_input_text(const nn_model *m, char *out, size_t len);

/* The normalization in checkpoint metadata as nn_checkpoint_read checked it
 * (finite lists, std positive) for `channels` channels: 0, or -1 with the
 * field and what is missing or wrong in why. */
int nn_normalization_from_meta(nn_normalization *z, const nn_ckpt_meta *meta, int channels, char *why, size_t len);
void nn_normalization_to_meta(const nn_normalization *z, nn_ckpt_meta *meta);
void nn_normalization_print(const nn_normalization *z, FILE *out);

#endif
