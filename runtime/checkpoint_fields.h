/* The metadata fields the runtime writes into checkpoints, checked wherever a
 * file has them (a weights-only file may lack any): epoch, step and
 * optimizer_step (integers in range; step at least epoch, optimizer_step
 * equal to step), optimizer, best_val (finite), mean and std (finite; std
 * positive; as many of each), classes (no empty name) and every rng_* (an RNG
 * state). A checkpoint that a signal made the trainer save mid-epoch also has
 * epoch_updates, epoch_records, epoch_correct and epoch_loss_sum (all four:
 * how far into `epoch` it is, and the epoch's tally so far). Other keys are
 * left alone: files from other tools may carry them. */
#ifndef NN_CHECKPOINT_FIELDS_H
#define NN_CHECKPOINT_FIELDS_H

#include "checkpoint.h"
#include "rng.h"

#define NN_CKPT_MAX_EPOCH 1000000 /* as --epochs */
#define NN_CKPT_MAX_STEP 1000000000000000LL

/* Returns 0, or -1 with "field 'KEY': what is wrong" in why. */
int nn_ckpt_check_fields(const nn_ckpt_meta *meta, char *why, size_t len);

/* The values of fields that nn_ckpt_check_fields accepted. Each returns 0, or
 * -1 when the field is absent. */
int nn_ckpt_field_integer(const nn_ckpt_meta *meta, const char *key, long long *out);
int nn_ckpt_field_number(const nn_ckpt_meta *meta, const char *key, double *out);
int nn_ckpt_field_rng(const nn_ckpt_meta *meta, const char *key, nn_rng *out);
/* The list's values into out (at most max); their count, or -1 when absent. */
int nn_ckpt_field_numbers(const nn_ckpt_meta *meta, const char *key, double *out, int max);

#endif
