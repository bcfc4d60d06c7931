#include "evaluation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int nn_eval_init(nn_eval *e, nn_task task, int outputs, size_t records)
{
    *e = (nn_eval){ .task = task, .outputs = outputs };
    int ok = 1;
    if (task == NN_TASK_CLASS || task == NN_TASK_BINARY)
        ok = nn_confusion_init(&e->confusion, task == NN_TASK_BINARY ? 2 : outputs) == 0;
    if (task == NN_TASK_BINARY) {
        e->scores = malloc(sizeof(float) * (records ? records : 1));
        e->truth = malloc(sizeof(float) * (records ? records : 1));
        ok = ok && e->scores && e->truth;
    }
    if (task == NN_TASK_MULTILABEL) {
        e->tp = calloc((size_t)outputs, sizeof(long));
        e->fp = calloc((size_t)outputs, sizeof(long));
        e->fn = calloc((size_t)outputs, sizeof(long));
        ok = e->tp && e->fp && e->fn;
    }
    if (!ok) nn_eval_free(e);
    return ok ? 0 : -1;
}

static void add_multilabel(nn_eval *e, const float *z, const float *t)
{
    int all = 1;
    for (int j = 0; j < e->outputs; ++j) {
        const int predicted = z[j] > 0, truth = t[j] > 0.5f; /* logits: p > 0.5 where z > 0 */
        e->tp[j] += predicted && truth;
        e->fp[j] += predicted && !truth;
        e->fn[j] += !predicted && truth;
        all &= predicted == truth;
    }
    e->exact += all;
}

static void add_regression(nn_eval *e, const float *z, const float *t)
{
    for (int j = 0; j < e->outputs; ++j) {
        const double d = (double)z[j] - t[j];
        e->abs_sum += fabs(d);
        e->sq_sum += d * d;
        e->y_sum += t[j];
        e->y_sq_sum += (double)t[j] * t[j];
    }
}

void nn_eval_add(nn_eval *e, const float *outputs, const nn_dataset *ds, const uint32_t *samples, int n)
{
    for (int i = 0; i < n; ++i) {
        const float *z = outputs + (size_t)i * e->outputs, *t = ds->y + (size_t)samples[i] * ds->target_size;
        if (e->task == NN_TASK_CLASS) {
            const int label = (int)t[0];
            nn_confusion_add(&e->confusion, z, &label, 1);
        } else if (e->task == NN_TASK_BINARY) {
            nn_confusion_count(&e->confusion, t[0] > 0.5f, z[0] > 0);
            e->scores[e->seen] = z[0];
            e->truth[e->seen] = t[0];
        } else if (e->task == NN_TASK_MULTILABEL) {
            add_multilabel(e, z, t);
        } else {
            add_regression(e, z, t);
        }
        e->seen++;
    }
}

double nn_eval_mae(const nn_eval *e) { return e->seen ? e->abs_sum / ((double)e->seen * e->outputs) : NAN; }

double nn_eval_rmse(const nn_eval *e) { return e->seen ? sqrt(e->sq_sum / ((double)e->seen * e->outputs)) : NAN; }

/* 1 - SSE / SST over every output, SST about the mean of all targets. */
double nn_eval_r2(const nn_eval *e)
{
    const double n = (double)e->seen * e->outputs;
    const double sst = e->y_sq_sum - e->y_sum * e->y_sum / n;
    return n > 0 && sst > 0 ? 1.0 - e->sq_sum / sst : NAN;
}

typedef struct {
    float score, truth;
} scored;

static int by_score(const void *a, const void *b)
{
    const float x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return (x > y) - (x < y);
}

/* The Mann-Whitney statistic: the chance that a random positive scores above a random negative, ties
 * counting one half (average ranks). */
double nn_eval_auc(const nn_eval *e)
{
    const size_t n = (size_t)e->seen;
    scored *s = malloc(sizeof(scored) * (n ? n : 1));
    if (!s) return NAN;
    for (size_t i = 0; i < n; ++i) s[i] = (scored){ e->scores[i], e->truth[i] };
    qsort(s, n, sizeof *s, by_score);
    double positives = 0, rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j].score == s[i].score) ++j;
        const double rank = (double)(i + j + 1) / 2.0; /* ranks i+1 .. j share their mean */
        for (size_t k = i; k < j; ++k)
            if (s[k].truth > 0.5f) positives += 1, rank_sum += rank;
        i = j;
    }
    free(s);
    const double negatives = (double)n - positives;
    return positives > 0 && negatives > 0 ? (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
                                          : NAN;
}

void nn_eval_free(nn_eval *e)
{
    if (e->confusion.counts) nn_confusion_free(&e->confusion);
    free(e->scores);
    free(e->truth);
    free(e->tp);
    free(e->fp);
    free(e->fn);
    *e = (nn_eval){ 0 };
}
