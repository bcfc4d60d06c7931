/* The order of a checkpoint's tensors, for the writer and the matcher: three
 * groups, the tensor table under its own names, then the optimizer state of
 * its trainable tensors, optimizer.m.NAME and (Adam and AdamW alone have v)
 * optimizer.v.NAME. */
#ifndef NN_CHECKPOINT_GROUPS_H
#define NN_CHECKPOINT_GROUPS_H

#include "nn_model.h"
#include "optim.h"

enum { NN_CKPT_GROUPS = 3 };
static const char *const NN_CKPT_PREFIX[NN_CKPT_GROUPS] = { "", "optimizer.m.", "optimizer.v." };

static inline int nn_ckpt_in_group(int group, const nn_tensor *d)
{
    return group == 0 || (d->flags & NN_TRAINABLE);
}

/* The array that group's tensors live in: params, or opt's m or v; NULL when opt (which may be NULL) has none. */
static inline float *nn_ckpt_group_base(int group, float *params, const nn_optimizer *opt)
{
    return group == 0 ? params : !opt ? NULL : group == 1 ? opt->m : opt->v;
}

/* Whether a checkpoint written or loaded with opt (which may be NULL) has group. */
static inline int nn_ckpt_has_group(int group, const nn_optimizer *opt)
{
    return group == 0 || nn_ckpt_group_base(group, NULL, opt) != NULL;
}

#endif
