#include "profile.h"

void nn_profile_add(nn_profile_entry *e, int direction, double start)
{
    e->seconds[direction] += nn_now() - start;
    e->calls[direction] += 1;
}
