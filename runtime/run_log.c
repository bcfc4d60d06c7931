#include "run_log.h"

#include "stop_signals.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CSV_HEADER "epoch,step,train_loss,train_acc,val_loss,val_acc,lr,img_per_s,seconds,val_r2\n"
#define STEPS_HEADER "epoch,step,batch_loss,lr\n"

/* The number in a row's column (0: the first), or -1 when it is not there. */
static long long column_value(const char *line, int column)
{
    for (int c = 0; c < column && line; ++c) {
        line = strchr(line, ',');
        if (line) ++line;
    }
    return line && *line >= '0' && *line <= '9' ? atoll(line) : -1;
}

/* Keeps the rows whose column (epoch or step) is at most last: those a
 * resumed run continues from (a fresh run keeps none). */
static int keep_rows(const char *path, const char *header, int column, long long last)
{
    FILE *in = fopen(path, "r");
    if (!in) return errno == ENOENT ? 0 : -1;
    char tmp[4160], line[1024];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    nn_stop_temp_file(tmp);
    FILE *out = fopen(tmp, "w");
    int ok = out != NULL;
    if (ok) fputs(header, out);
    while (ok && fgets(line, sizeof line, in))
        if (column_value(line, 0) >= 0 && column_value(line, column) <= last) fputs(line, out);
    ok = ok && !ferror(in);
    fclose(in);
    ok = out && fclose(out) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    const int e = errno; /* for the message, past unlink */
    if (!ok) unlink(tmp);
    nn_stop_temp_file(NULL);
    errno = e;
    return ok ? 0 : -1;
}

static FILE *open_csv(const char *dir, const char *name, const char *header, int column, long long last, char *err,
                      size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = keep_rows(path, header, column, last) == 0 ? fopen(path, "a") : NULL;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (ftell(f) == 0) fputs(header, f);
    return f;
}

int nn_run_log_open(nn_run_log *l, const char *dir, int last_epoch, long last_step, char *err, size_t errlen)
{
    *l = (nn_run_log){ 0 };
    snprintf(l->dir, sizeof l->dir, "%s", dir);
    l->csv = open_csv(dir, "log.csv", CSV_HEADER, 0, last_epoch, err, errlen);
    l->steps = l->csv ? open_csv(dir, "steps.csv", STEPS_HEADER, 1, last_step, err, errlen) : NULL;
    if (!l->steps || nn_tb_open(&l->tb, dir, err, errlen) != 0) {
        nn_run_log_close(l);
        return -1;
    }
    return 0;
}

/* The first failed write, reported once: the logs stop there, and the run goes on without them. */
static void give_up(nn_run_log *l, const char *path, int e)
{
    l->broken = 1;
    fprintf(stderr, "train: %s: cannot write (%s); the run goes on without its logs\n", path, strerror(e));
}

/* 0, or -1 (reported) when a write to DIR/name failed. */
static int check_csv(nn_run_log *l, FILE *f, const char *name)
{
    if (!ferror(f)) return 0;
    const int e = errno;
    char path[sizeof l->dir + 16];
    snprintf(path, sizeof path, "%s/%s", l->dir, name);
    give_up(l, path, e);
    return -1;
}

void nn_run_log_step(nn_run_log *l, int epoch, long step, double batch_loss, double lr)
{
    if (l->broken) return;
    fprintf(l->steps, "%d,%ld,%.6g,%.6g\n", epoch, step, batch_loss, lr);
    if (check_csv(l, l->steps, "steps.csv") != 0) return;
    if (nn_tb_scalar(&l->tb, "train/batch_loss", step, batch_loss) != 0 ||
        nn_tb_scalar(&l->tb, "train/lr", step, lr) != 0)
        give_up(l, l->tb.path, errno);
}

static void csv_number(FILE *f, double v, const char *sep)
{
    if (isnan(v)) fprintf(f, "%s", sep);
    else fprintf(f, "%.6g%s", v, sep);
}

/* The epoch's scalars in the event file; 0, or -1 when a write failed. */
static int tb_epoch(nn_tb_writer *tb, const nn_epoch_record *r)
{
    const char *const tags[] = { "epoch/train_loss", "epoch/train_acc", "epoch/val_loss", "epoch/val_acc",
                                 "epoch/val_r2", "epoch/img_per_s" };
    const double values[] = { r->train_loss, r->train_acc, r->val_loss, r->val_acc, r->val_r2, r->img_per_s };
    for (int i = 0; i < (int)(sizeof values / sizeof values[0]); ++i)
        if (!isnan(values[i]) && nn_tb_scalar(tb, tags[i], r->step, values[i]) != 0) return -1;
    return nn_tb_flush(tb);
}

void nn_run_log_epoch(nn_run_log *l, const nn_epoch_record *r)
{
    if (l->broken) return;
    fprintf(l->csv, "%d,%ld,", r->epoch, r->step);
    const double values[] = { r->train_loss, r->train_acc, r->val_loss, r->val_acc, r->lr, r->img_per_s, r->seconds,
                              r->val_r2 };
    const int n = (int)(sizeof values / sizeof values[0]);
    for (int i = 0; i < n; ++i) csv_number(l->csv, values[i], i + 1 < n ? "," : "\n");
    fflush(l->csv);
    fflush(l->steps);
    if (check_csv(l, l->csv, "log.csv") != 0 || check_csv(l, l->steps, "steps.csv") != 0) return;
    if (tb_epoch(&l->tb, r) != 0) give_up(l, l->tb.path, errno);
}

void nn_run_log_close(nn_run_log *l)
{
    /* the last buffered rows are written here */
    if (l->csv && !l->broken && fflush(l->csv) != 0) check_csv(l, l->csv, "log.csv");
    if (l->steps && !l->broken && fflush(l->steps) != 0) check_csv(l, l->steps, "steps.csv");
    if (l->csv) fclose(l->csv);
    if (l->steps) fclose(l->steps);
    l->csv = l->steps = NULL;
    const int tb_failed = nn_tb_close(&l->tb) != 0;
    if (tb_failed && !l->broken) give_up(l, l->tb.path, errno);
}
