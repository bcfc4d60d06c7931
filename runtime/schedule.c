#include "schedule.h"

#include <math.h>

const char *nn_schedule_name(nn_schedule_kind kind)
{
    switch (kind) {
    case NN_SCHED_STEP: return "step";
    case NN_SCHED_MULTISTEP: return "multistep";
    case NN_SCHED_COSINE: return "cosine";
    default: return "constant";
    }
}

double nn_schedule_lr(const nn_schedule *s, long step)
{
    const double per_epoch = s->steps_per_epoch > 0 ? (double)s->steps_per_epoch : 1.0;
    /* capped far beyond any run (--epochs is at most 1e6), so that `whole` cannot overflow for a
       resumed step that the current epoch size makes enormous */
    const double epoch = fmin((double)step / per_epoch, 1e9);
    double lr = s->lr;
    const int whole = (int)floor(epoch);
    switch (s->kind) {
    case NN_SCHED_STEP:
        lr *= pow(s->gamma, (double)(whole / (s->step_epochs > 0 ? s->step_epochs : 1)));
        break;
    case NN_SCHED_MULTISTEP:
        for (int i = 0; i < s->n_milestones; ++i)
            if (whole >= s->milestones[i]) lr *= s->gamma;
        break;
    case NN_SCHED_COSINE: {
        const double t = s->epochs > 0 ? fmin(epoch / s->epochs, 1.0) : 1.0;
        lr = s->lr_min + (s->lr - s->lr_min) * 0.5 * (1.0 + cos(3.14159265358979323846 * t));
        break;
    }
    default:
        break;
    }
    const double warmup_steps = s->warmup_epochs * per_epoch;
    if ((double)step + 1 < warmup_steps) lr *= ((double)step + 1) / warmup_steps;
    return lr;
}
