/* Learning-rate schedules, evaluated per optimizer step: constant, step and
 * multistep (changing at epoch boundaries, as PyTorch's StepLR/MultiStepLR
 * stepped per epoch), cosine (annealed per step down to lr_min over the
 * run), each optionally with a linear warmup that reaches the full rate
 * after warmup_epochs. */
#ifndef NN_SCHEDULE_H
#define NN_SCHEDULE_H

typedef enum { NN_SCHED_CONSTANT, NN_SCHED_STEP, NN_SCHED_MULTISTEP, NN_SCHED_COSINE } nn_schedule_kind;

#define NN_MAX_MILESTONES 16

typedef struct {
    nn_schedule_kind kind;
    double lr;            /* base learning rate */
    double gamma;         /* step, multistep: factor at each boundary */
    int step_epochs;      /* step: epochs between boundaries */
    int milestones[NN_MAX_MILESTONES]; /* multistep: epochs where lr *= gamma, increasing */
    int n_milestones;
    double lr_min;        /* cosine: final learning rate */
    double warmup_epochs; /* linear warmup from ~0 to the schedule's value */
    int epochs;           /* length of the run (cosine) */
    long steps_per_epoch;
} nn_schedule;

const char *nn_schedule_name(nn_schedule_kind kind);
/* Learning rate of optimizer step `step` (0-based, counted over the run). */
double nn_schedule_lr(const nn_schedule *s, long step);

#endif
