/* One model's buffers and batch plumbing, shared by training, evaluation,
 * prediction and a distillation teacher. */
#ifndef NN_TRAINER_H
#define NN_TRAINER_H

#include "augment.h"
#include "dataset.h"
#include "evaluation.h"
#include "nn_model.h"

typedef struct {
    double loss_sum;
    size_t correct, seen; /* correct: top-1 hits, 0/1 hits at 0.5 or exact label sets; none in regression */
} nn_tally;

typedef struct {
    const nn_model *m;
    nn_task task;
    nn_state s;
    float *x, *target;          /* one batch of inputs and of targets in the loss's form (one-hot for classes) */
    nn_rng *augment_rng;
    float fill[NN_MAX_CHANNELS]; /* a black pixel, normalized: the padding of crops */
    float *scratch;
} nn_trainer;

/* Allocates every buffer (gradients only when training); exits with a
 * message when memory runs out. */
void nn_trainer_init(nn_trainer *t, const nn_model *m, int training);
void nn_trainer_free(nn_trainer *t);
/* Reads n samples (augmented when augment is given) and their targets into the batch. */
void nn_trainer_gather(nn_trainer *t, const nn_dataset *ds, const uint32_t *samples, int n, const nn_augment *augment);
/* The same into other buffers of the batch's size (the prefetcher's). */
void nn_trainer_gather_into(nn_trainer *t, const nn_dataset *ds, const uint32_t *samples, int n,
                            const nn_augment *augment, float *x, float *target);
/* Adds a batch's loss and hits (from the model's outputs) to c. */
void nn_trainer_count(nn_tally *c, const nn_trainer *t, const nn_dataset *ds, const uint32_t *samples, int n,
                      double loss);
/* Loss and hits in evaluation mode; also adds to the task's metrics when given. */
nn_tally nn_trainer_evaluate(nn_trainer *t, const nn_dataset *ds, const uint32_t *samples, size_t total,
                             nn_eval *metrics);
/* calloc that exits with a message naming `what` when memory runs out. */
void *nn_alloc(size_t count, size_t size, const char *what);

#endif
