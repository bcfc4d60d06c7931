#include "lr_rules.h"

#include <stdio.h>

int nn_glob_match(const char *pattern, const char *name)
{
    const char *star = NULL, *resume = NULL;
    while (*name) {
        if (*pattern == '*') {
            star = pattern++;
            resume = name;
        } else if (*pattern == '?' || *pattern == *name) {
            ++pattern;
            ++name;
        } else if (star) {
            /* let the last star absorb one more character */
            pattern = star + 1;
            name = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*') ++pattern;
    return *pattern == '\0';
}

int nn_lr_rules_apply(const nn_tensor *tensors, int n_tensors, const nn_lr_rule *rules, int n_rules, double *mult,
                      char *err, size_t errlen)
{
    for (int t = 0; t < n_tensors; ++t) mult[t] = 1.0;
    for (int r = 0; r < n_rules; ++r) {
        int matched = 0;
        for (int t = 0; t < n_tensors; ++t) {
            if (!(tensors[t].flags & NN_TRAINABLE) || !nn_glob_match(rules[r].pattern, tensors[t].name)) continue;
            mult[t] = rules[r].mult;
            matched = 1;
        }
        if (!matched) {
            snprintf(err, errlen, "%s '%s' matches no trainable tensor (names look like '%s')",
                     rules[r].mult == 0.0 ? "freeze pattern" : "lr-mult pattern", rules[r].pattern,
                     n_tensors > 0 ? tensors[0].name : "");
            return -1;
        }
    }
    return 0;
}
