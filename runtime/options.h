/* The trainer's command line. */
#ifndef NN_OPTIONS_H
#define NN_OPTIONS_H

#include "augment.h"
#include "dataset.h"
#include "optim.h"
#include "schedule.h"

#include <stdint.h>

typedef enum { NN_FORMAT_AUTO, NN_FORMAT_IDX, NN_FORMAT_CIFAR10 } nn_data_format;

typedef struct {
    const char *data_dir;
    nn_data_format format;
    nn_augment augment;
    int n_mean, n_std; /* given per-channel normalization (0: computed) */
    double mean[NN_MAX_CHANNELS], std[NN_MAX_CHANNELS];
    int epochs;
    nn_optim_config optim;
    nn_schedule schedule; /* its lr is optim.lr */
    double val_split;
    uint64_t seed;
    int threads;
    long limit; /* use only the first N training images (0: all) */
    long print_every; /* print the batch loss every N steps (0: never) */
    const char *save_dir;    /* write DIR/last.safetensors after every epoch */
    const char *resume_path; /* continue the run saved in this checkpoint */
    int stop_after;          /* end after this epoch, as an interrupted run would (0: run all) */
} nn_options;

/* Returns 0 to run, 1 when --help was printed, -1 on a bad option (message printed). */
int nn_options_parse(nn_options *o, int argc, char **argv, const char *program);

#endif
