/* Per-tensor learning-rate multipliers from name patterns: the spec's
 * freeze/lr_mult rules, then --freeze/--lr-mult. */
#ifndef NN_LR_RULES_H
#define NN_LR_RULES_H

#include "nn_model.h"

#include <stddef.h>

/* Glob match of a whole name: `*` matches any run of characters (dots
 * included), `?` one character, everything else itself. */
int nn_glob_match(const char *pattern, const char *name);

/* mult[t] = the multiplier of the last rule matching tensor t's name (1 when
 * none does). A rule that matches no trainable tensor is an error, as it is
 * almost certainly a typo. Returns 0, or -1 with the reason in err. */
int nn_lr_rules_apply(const nn_tensor *tensors, int n_tensors, const nn_lr_rule *rules, int n_rules, double *mult,
                      char *err, size_t errlen);

#endif
