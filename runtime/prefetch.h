/* A background thread that reads the next training batch (inputs converted,
 * normalized and augmented, targets in the loss's form) while the current one
 * trains. Batches are requested one at a time, in order, so the augmentation
 * RNG draws exactly what reading them in the loop would: a run is the same
 * with or without it, and resumes bit-exactly. */
#ifndef NN_PREFETCH_H
#define NN_PREFETCH_H

#include "trainer.h"

#include <pthread.h>

typedef struct {
    nn_trainer *t;
    pthread_t thread;
    int running;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int pending, quit;            /* a request is waiting or being read; the thread should end */
    const nn_dataset *ds;         /* the request */
    const uint32_t *samples;
    int n;
    const nn_augment *augment;
    float *x, *target;            /* the buffers it is read into */
} nn_prefetch;

/* Starts the thread with a second pair of batch buffers. Returns 0, or -1 (then read in the loop). */
int nn_prefetch_start(nn_prefetch *p, nn_trainer *t);
/* Reads samples[0..n) of ds in the background. */
void nn_prefetch_request(nn_prefetch *p, const nn_dataset *ds, const uint32_t *samples, int n,
                         const nn_augment *augment);
/* Waits for the request and makes it the trainer's batch (t->x, t->target swap with the spare pair). */
void nn_prefetch_take(nn_prefetch *p);
void nn_prefetch_stop(nn_prefetch *p);

#endif
