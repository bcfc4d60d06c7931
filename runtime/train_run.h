/* The state of one training run and its stages: train.c sets it up
 * (train_setup.c), resumes it, runs its epochs (train_epoch.c), reports on
 * the test set and tears it down. Every stage returns 0, or -1 after printing
 * the reason; whichever stage fails, train.c's teardown frees what the
 * earlier ones allocated, as it does after a full run. A signal stops the
 * run between updates (stop_signals.h, train_stop.c). */
#ifndef NN_TRAIN_RUN_H
#define NN_TRAIN_RUN_H

#include "checkpoint.h"
#include "optim.h"
#include "options.h"
#include "prefetch.h"
#include "progress.h"
#include "rng.h"
#include "run_data.h"
#include "run_log.h"
#include "teacher.h"
#include "trainer.h"

/* RNGs whose state a checkpoint carries, so that a resumed run draws what the
 * uninterrupted one would have drawn. */
enum { N_RUN_RNGS = 3 };
extern const char *const NN_RUN_RNG_KEYS[N_RUN_RNGS];

/* How far into an epoch a run got: what a checkpoint saved mid-epoch (when a
 * signal stopped the run) carries, so that the resumed run finishes that
 * epoch as the uninterrupted one would have. */
typedef struct {
    long updates;   /* updates made in the epoch; 0: none (a whole epoch, or not begun) */
    nn_tally tally; /* their records, hits and loss sum */
} nn_epoch_progress;

/* nn_train_epoch's result when a signal stopped the run mid-epoch (after saving). */
enum { NN_RUN_STOPPED = 1 };

typedef struct {
    const nn_model *m;
    nn_options opt;
    nn_run_data data;
    nn_rng init_rng, split_rng, shuffle_rng, model_rng, augment_rng;
    nn_rng *rngs[N_RUN_RNGS];  /* the carried ones, in the order of NN_RUN_RNG_KEYS */
    uint32_t *order;           /* the records used, split once: training (reshuffled every epoch), then validation */
    uint32_t *split_order;     /* the training records in their order after the split */
    size_t n_train, n_val;
    size_t n_used;             /* training records per epoch (see nn_train_plan_epochs) */
    nn_normalization norm;
    char class_list[NN_CKPT_META_VALUE]; /* "a,b,c" for checkpoints, or "" */
    nn_trainer t;
    double *lr_mult;           /* per tensor: spec and command-line rules */
    unsigned char *frozen;     /* per tensor: mult 0, read by the generated backward */
    nn_teacher teacher;        /* with --teacher */
    nn_optimizer optimizer;
    nn_fused_update fused;
    int fuse_updates;          /* backward applies updates itself (no accumulation, no clipping) */
    int first_epoch;
    nn_epoch_progress resumed; /* from a checkpoint saved mid-epoch: where first_epoch starts */
    int done_epoch;            /* the last whole epoch */
    long epoch_updates;        /* updates made in the epoch under way */
    long step;                 /* updates so far, over the run */
    double lr;                 /* the last update's learning rate */
    double best;               /* the best validation figure so far (--keep-best) */
    nn_run_log log;            /* with --save */
    nn_prefetch reader;
    int prefetching;
    nn_progress bar;
    double run_start;
    size_t n_batches;          /* per epoch */
    const nn_augment *augment; /* NULL without augmentation */
    nn_rng epoch_shuffle;      /* the shuffling RNG before this epoch's shuffle */
    nn_rng augment_next;       /* the augmentation RNG before the batch read next in the background */
    char checkpoint[4352];     /* the last checkpoint the run can resume from, or "" */
    int argc;                  /* the command line, for the one that resumes */
    char **argv;
} nn_train_run;

/* The data: loaded, split into training and validation, normalized. */
int nn_train_setup_data(nn_train_run *r);
/* The model's buffers and weights, learning-rate rules, teacher and optimizer. */
int nn_train_setup_model(nn_train_run *r, const nn_model *const *teachers, int n_teachers);
/* With --resume: weights, optimizer state, epoch, step, best figure and RNG states from the checkpoint. */
int nn_train_resume(nn_train_run *r);
/* With --save: the run directory and its logs. */
int nn_train_open_run_dir(nn_train_run *r);
/* The batches of an epoch, the background reader, the progress line. */
void nn_train_plan_epochs(nn_train_run *r);
/* One epoch: its updates, validation, log rows and checkpoints. Returns 0,
 * NN_RUN_STOPPED when a signal stopped it (its checkpoint saved), or -1. */
int nn_train_epoch(nn_train_run *r, int epoch);
/* Saves the run to path after `epoch`, or partway through it when progress
 * has updates. Returns 0, or -1 after printing the reason. */
int nn_train_save(nn_train_run *r, const char *path, int epoch, const nn_epoch_progress *progress);
/* The same to DIR/last.safetensors, which becomes the run's checkpoint. */
int nn_train_save_last(nn_train_run *r, int epoch, const nn_epoch_progress *progress);
/* After a signal, mid-epoch: saves where the epoch got (with --save). Returns NN_RUN_STOPPED, or -1. */
int nn_train_stop_mid_epoch(nn_train_run *r, int epoch, const nn_tally *c);
/* After a signal: where the run stopped, its last checkpoint and the command line that resumes it. */
void nn_train_report_stop(const nn_train_run *r);

/* --keep-best acc and r2 keep the highest figure, loss the lowest. */
static inline int nn_keep_best_higher(nn_keep_best k) { return k == NN_KEEP_ACC || k == NN_KEEP_R2; }

/* mkdir -p: a directory and any missing parents. Returns 0, or -1 with errno set. */
int nn_make_dirs(const char *path);

#endif
