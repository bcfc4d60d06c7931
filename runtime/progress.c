#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_SECONDS 0.2

double nn_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void nn_progress_init(nn_progress *p)
{
    p->tty = isatty(fileno(stdout));
    p->last_draw = 0.0;
}

void nn_format_duration(char *out, size_t len, double seconds)
{
    long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(out, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, len, "%ld:%02ld", s / 60, s % 60);
}

void nn_progress_update(nn_progress *p, int epoch, int epochs, size_t done, size_t total, double loss,
                        double acc, double img_per_s, double eta)
{
    if (!p->tty) return;
    const double now = nn_now();
    if (done < total && now - p->last_draw < REDRAW_SECONDS) return;
    p->last_draw = now;
    enum { WIDTH = 24 };
    char bar[WIDTH + 1];
    const int filled = total ? (int)((double)done / (double)total * WIDTH) : WIDTH;
    for (int i = 0; i < WIDTH; ++i) bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
    bar[WIDTH] = '\0';
    char left[32];
    nn_format_duration(left, sizeof left, eta);
    printf("\repoch %d/%d [%s] %3d%% loss %.4f", epoch, epochs, bar,
           total ? (int)(100.0 * (double)done / (double)total) : 100, loss);
    if (!isnan(acc)) printf(" acc %.2f%%", 100.0 * acc); /* none in regression */
    printf(" %.0f img/s ETA %s\033[K", img_per_s, left);
    fflush(stdout);
}

void nn_progress_clear(nn_progress *p)
{
    if (!p->tty) return;
    printf("\r\033[K");
    fflush(stdout);
}
