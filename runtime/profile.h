/* Per-layer timing for models generated with --profile (make bench PROFILE=1):
 * every layer call adds its wall time to the layer's entry. */
#ifndef NN_PROFILE_H
#define NN_PROFILE_H

#include "progress.h"

typedef struct nn_profile_entry {
    const char *path, *desc;
    long long macs;   /* per image, forward */
    int from_input;   /* reads the network input: its backward computes no input gradient */
    double seconds[2]; /* forward, backward */
    long calls[2];
} nn_profile_entry;

/* start: nn_now() (progress.h) when the call began */
void nn_profile_add(nn_profile_entry *e, int direction, double start);

#endif
