#include "profile.h"

#include "progress.h"

double nn_profile_now(void) { return nn_now(); }

void nn_profile_add(nn_profile_entry *e, int direction, double start)
{
    e->seconds[direction] += nn_now() - start;
    e->calls[direction] += 1;
}
