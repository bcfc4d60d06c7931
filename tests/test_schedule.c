/* Learning-rate schedules at chosen steps, against values worked out by hand
 * (10 steps per epoch, base rate 0.1). */
#include "schedule.h"

#include <criterion/criterion.h>

static nn_schedule base(nn_schedule_kind kind)
{
    return (nn_schedule){ .kind = kind, .lr = 0.1, .gamma = 0.1, .step_epochs = 1, .epochs = 4, .steps_per_epoch = 10 };
}

Test(schedule, constant)
{
    const nn_schedule s = base(NN_SCHED_CONSTANT);
    cr_expect_float_eq(nn_schedule_lr(&s, 0), 0.1, 1e-15);
    cr_expect_float_eq(nn_schedule_lr(&s, 39), 0.1, 1e-15);
}

Test(schedule, step_changes_at_epoch_boundaries)
{
    nn_schedule s = base(NN_SCHED_STEP);
    s.step_epochs = 2;
    cr_expect_float_eq(nn_schedule_lr(&s, 19), 0.1, 1e-15);   /* epoch 1.9 */
    cr_expect_float_eq(nn_schedule_lr(&s, 20), 0.01, 1e-15);  /* epoch 2.0 */
    cr_expect_float_eq(nn_schedule_lr(&s, 45), 0.001, 1e-15); /* epoch 4.5 */
}

Test(schedule, multistep_at_milestones)
{
    nn_schedule s = base(NN_SCHED_MULTISTEP);
    s.gamma = 0.5;
    s.milestones[0] = 1;
    s.milestones[1] = 3;
    s.n_milestones = 2;
    cr_expect_float_eq(nn_schedule_lr(&s, 9), 0.1, 1e-15);
    cr_expect_float_eq(nn_schedule_lr(&s, 10), 0.05, 1e-15);
    cr_expect_float_eq(nn_schedule_lr(&s, 29), 0.05, 1e-15);
    cr_expect_float_eq(nn_schedule_lr(&s, 30), 0.025, 1e-15);
}

Test(schedule, cosine_from_lr_to_lr_min)
{
    nn_schedule s = base(NN_SCHED_COSINE);
    s.lr_min = 0.001;
    cr_expect_float_eq(nn_schedule_lr(&s, 0), 0.1, 1e-15);
    /* a quarter of the run: 0.001 + 0.099 * (1 + cos(pi/4)) / 2 */
    cr_expect_float_eq(nn_schedule_lr(&s, 10), 0.0855017856687341, 1e-12);
    cr_expect_float_eq(nn_schedule_lr(&s, 20), 0.0505, 1e-15);
    cr_expect_float_eq(nn_schedule_lr(&s, 40), 0.001, 1e-15);
}

Test(schedule, linear_warmup_reaches_the_rate)
{
    nn_schedule s = base(NN_SCHED_CONSTANT);
    s.warmup_epochs = 0.5; /* 5 steps */
    cr_expect_float_eq(nn_schedule_lr(&s, 0), 0.02, 1e-15);
    cr_expect_float_eq(nn_schedule_lr(&s, 2), 0.06, 1e-15);
    cr_expect_float_eq(nn_schedule_lr(&s, 4), 0.1, 1e-15);
    cr_expect_float_eq(nn_schedule_lr(&s, 30), 0.1, 1e-15);
}
