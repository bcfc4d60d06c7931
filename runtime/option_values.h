/* Readers of option values. Each returns 0, or -1 after printing one line
 * to stderr that names the program, the option and what is wrong. A NULL
 * text is a missing value. */
#ifndef NN_OPTION_VALUES_H
#define NN_OPTION_VALUES_H

#include "options.h"

/* A number in [lo, hi]. */
int nn_opt_number(const char *program, const char *opt, const char *text, double lo, double hi, double *out);
/* A whole number in [lo, hi]. */
int nn_opt_whole(const char *program, const char *opt, const char *text, double lo, double hi, long *out);
/* One of the names in choices, "a|b|c": returns its index, or -1 after printing them. */
int nn_opt_choice(const char *program, const char *opt, const char *choices, const char *text);
/* "0.49,0.48,0.45": one finite number per channel (positive ones when positive is set). */
int nn_opt_channels(const char *program, const char *opt, const char *text, int positive, double *out, int *n);
/* "2,5,8": increasing epochs, into s->milestones. */
int nn_opt_milestones(const char *program, const char *opt, const char *text, nn_schedule *s);

#endif
