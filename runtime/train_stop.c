/* A run stopped by SIGINT, SIGTERM or SIGHUP (stop_signals.h): its checkpoint
 * saved where it got, and what it says on its way out. */
#include "train_run.h"

#include "stop_signals.h"

#include <string.h>

int nn_train_stop_mid_epoch(nn_train_run *r, int epoch, const nn_tally *c)
{
    nn_progress_clear(&r->bar);
    const nn_epoch_progress p = { .updates = r->epoch_updates, .tally = *c };
    return r->opt.save_dir && nn_train_save_last(r, epoch, &p) != 0 ? -1 : NN_RUN_STOPPED;
}

/* Text appended to a buffer of len bytes, cut short when it is full. */
typedef struct {
    char *s;
    size_t len, n;
} text;

static void put(text *t, const char *s)
{
    if (t->n < t->len) t->n += (size_t)snprintf(t->s + t->n, t->len - t->n, "%s", s);
}

/* arg as one POSIX shell word: as it is when plain, else single-quoted. */
static void put_word(text *t, const char *arg)
{
    static const char PLAIN[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=.,:/@%";
    if (*arg && arg[strspn(arg, PLAIN)] == '\0') {
        put(t, arg);
        return;
    }
    put(t, "'");
    for (const char *p = arg; *p; ++p) put(t, *p == '\'' ? "'\\''" : (const char[2]){ *p, '\0' });
    put(t, "'");
}

/* This run's command line without its --resume, then --resume path. */
static void resume_command(const nn_train_run *r, const char *path, char *out, size_t len)
{
    text t = { .s = out, .len = len };
    out[0] = '\0';
    for (int i = 0; i < r->argc; ++i) {
        if (!strcmp(r->argv[i], "--resume")) {
            ++i; /* and its file */
            continue;
        }
        put_word(&t, r->argv[i]);
        put(&t, " ");
    }
    put(&t, "--resume ");
    put_word(&t, path);
}

void nn_train_report_stop(const nn_train_run *r)
{
    char where[160], command[8192];
    if (r->epoch_updates > 0)
        snprintf(where, sizeof where, "in epoch %d after %ld of its %ld updates (step %ld)", r->done_epoch + 1,
                 r->epoch_updates, r->opt.schedule.steps_per_epoch, r->step);
    else if (r->done_epoch > 0)
        snprintf(where, sizeof where, "after epoch %d (step %ld)", r->done_epoch, r->step);
    else
        snprintf(where, sizeof where, "before its first update");
    fflush(stdout);
    if (!r->checkpoint[0]) {
        fprintf(stderr, "train: stopped by %s %s; no checkpoint to resume from%s\n",
                nn_stop_signal_name(nn_stop_signal()), where, r->opt.save_dir ? "" : " (--save DIR writes one)");
        return;
    }
    fprintf(stderr, "train: stopped by %s %s; last checkpoint: %s\n", nn_stop_signal_name(nn_stop_signal()), where,
            r->checkpoint);
    resume_command(r, r->checkpoint, command, sizeof command);
    fprintf(stderr, "train: resume with: %s\n", command);
}
