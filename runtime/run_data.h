/* The data of a run: the training and test sets in the chosen (or detected)
 * format, checked against the model, and their per-channel normalization,
 * which checkpoints carry (metadata "mean" and "std") so that evaluation,
 * prediction and distillation teachers see inputs as training did. */
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

/* Loads the test set, and the training set too when train is not NULL.
 * Returns 0, or -1 after printing the reason. */
int nn_run_data_load(const nn_options *opt, const nn_model *m, nn_dataset *train, nn_dataset *test);

/* The normalization in checkpoint metadata ("0.2860" lists); -1 when absent or malformed. */
int nn_normalization_from_meta(nn_normalization *z, const nn_ckpt_meta *meta, int channels);
void nn_normalization_to_meta(const nn_normalization *z, nn_ckpt_meta *meta);
void nn_normalization_print(const nn_normalization *z, FILE *out);

#endif
