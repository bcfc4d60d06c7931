/* The progress line: redrawn in place on a terminal, silent otherwise
 * (callers print one plain line per epoch either way). */
#ifndef NN_PROGRESS_H
#define NN_PROGRESS_H

#include <stddef.h>

typedef struct {
    int tty;
    double last_draw;
} nn_progress;

double nn_now(void); /* seconds, monotonic */
void nn_progress_init(nn_progress *p);
/* done/total: images this epoch; eta in seconds for the whole run. */
void nn_progress_update(nn_progress *p, int epoch, int epochs, size_t done, size_t total, double loss,
                        double acc, double img_per_s, double eta);
void nn_progress_clear(nn_progress *p);
/* "1:02:03" or "2:03" */
void nn_format_duration(char *out, size_t len, double seconds);

#endif
