#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nn_argmax(const float *v, int k)
{
    int best = 0;
    for (int j = 1; j < k; ++j)
        if (v[j] > v[best]) best = j;
    return best;
}

int nn_confusion_init(nn_confusion *c, int classes)
{
    c->classes = classes;
    c->top5 = c->seen = 0;
    c->counts = calloc((size_t)classes * classes, sizeof(long));
    return c->counts ? 0 : -1;
}

void nn_confusion_free(nn_confusion *c)
{
    free(c->counts);
    c->counts = NULL;
}

void nn_confusion_count(nn_confusion *c, int t, int p)
{
    c->counts[(size_t)t * c->classes + p]++;
    c->seen++;
}

void nn_confusion_add(nn_confusion *c, const float *outputs, const int *labels, int n)
{
    const int k = c->classes;
    for (int i = 0; i < n; ++i) {
        const float *o = outputs + (size_t)i * k;
        const int label = labels[i];
        int higher = 0;
        for (int j = 0; j < k; ++j) higher += o[j] > o[label];
        c->counts[(size_t)label * k + nn_argmax(o, k)]++;
        c->top5 += higher < 5;
        c->seen++;
    }
}

static long column(const nn_confusion *c, int k)
{
    long sum = 0;
    for (int t = 0; t < c->classes; ++t) sum += c->counts[(size_t)t * c->classes + k];
    return sum;
}

static long row(const nn_confusion *c, int k)
{
    long sum = 0;
    for (int p = 0; p < c->classes; ++p) sum += c->counts[(size_t)k * c->classes + p];
    return sum;
}

double nn_metric_precision(const nn_confusion *c, int k)
{
    const long predicted = column(c, k);
    return predicted ? (double)c->counts[(size_t)k * c->classes + k] / (double)predicted : 0.0;
}

double nn_metric_recall(const nn_confusion *c, int k)
{
    const long actual = row(c, k);
    return actual ? (double)c->counts[(size_t)k * c->classes + k] / (double)actual : 0.0;
}

double nn_metric_f1(const nn_confusion *c, int k)
{
    const double p = nn_metric_precision(c, k), r = nn_metric_recall(c, k);
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

double nn_metric_accuracy(const nn_confusion *c)
{
    long correct = 0;
    for (int k = 0; k < c->classes; ++k) correct += c->counts[(size_t)k * c->classes + k];
    return c->seen ? (double)correct / (double)c->seen : 0.0;
}

/* Unweighted means over the classes of precision, recall and F1. */
static void macro_averages(const nn_confusion *c, double *precision, double *recall, double *f1)
{
    *precision = *recall = *f1 = 0.0;
    for (int j = 0; j < c->classes; ++j) {
        *precision += nn_metric_precision(c, j) / c->classes;
        *recall += nn_metric_recall(c, j) / c->classes;
        *f1 += nn_metric_f1(c, j) / c->classes;
    }
}

/* Class k's name, or its number. */
static const char *name_of(char *const *names, int k, char *buf, size_t len)
{
    if (names) return names[k];
    snprintf(buf, len, "%d", k);
    return buf;
}

/* The width of the name column: the longest name, 5 to 24 characters. */
static int name_width(char *const *names, int k)
{
    int w = 5;
    for (int j = 0; names && j < k; ++j) {
        const int len = (int)strlen(names[j]);
        w = len > w ? len : w;
    }
    return w < 24 ? w : 24;
}

static void print_table(const nn_confusion *c, char *const *names, int w, FILE *out)
{
    char buf[16];
    double mp, mr, mf;
    fprintf(out, "%-*s  precision  recall      f1  support\n", w, "class");
    for (int j = 0; j < c->classes; ++j)
        fprintf(out, "%-*.*s  %9.4f  %6.4f  %6.4f  %7ld\n", w, w, name_of(names, j, buf, sizeof buf),
                nn_metric_precision(c, j), nn_metric_recall(c, j), nn_metric_f1(c, j), row(c, j));
    macro_averages(c, &mp, &mr, &mf);
    fprintf(out, "%-*s  %9.4f  %6.4f  %6.4f  %7ld\n", w, "macro", mp, mr, mf, c->seen);
}

void nn_metrics_print(const nn_confusion *c, char *const *names, FILE *out)
{
    const int k = c->classes, w = name_width(names, k);
    char buf[16];
    print_table(c, names, w, out);
    if (k > 5) fprintf(out, "top-5 accuracy %.2f%%\n", c->seen ? 100.0 * (double)c->top5 / (double)c->seen : 0.0);
    fprintf(out, "confusion matrix (rows: true class, columns: predicted)\n%*s", w, "");
    for (int p = 0; p < k; ++p) fprintf(out, " %6.6s", name_of(names, p, buf, sizeof buf));
    fprintf(out, "\n");
    for (int t = 0; t < k; ++t) {
        fprintf(out, "%-*.*s", w, w, name_of(names, t, buf, sizeof buf));
        for (int p = 0; p < k; ++p) fprintf(out, " %6ld", c->counts[(size_t)t * k + p]);
        fprintf(out, "\n");
    }
}

/* Closes f: 0, or -1 when a write to it failed (a buffer flushed early, or the last one). */
static int close_checked(FILE *f)
{
    const int failed = ferror(f);
    return fclose(f) != 0 || failed ? -1 : 0;
}

/* DIR/metrics.csv: class,precision,recall,f1,support, then "macro" and, over
 * five classes, "top5_accuracy"; DIR/confusion.csv: the matrix with a header,
 * rows the true class. */
int nn_metrics_write_csv(const nn_confusion *c, char *const *names, const char *dir, char *err, size_t errlen)
{
    char path[4096], buf[16];
    const int k = c->classes;
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) goto fail;
    double mp, mr, mf;
    fprintf(f, "class,precision,recall,f1,support\n");
    for (int j = 0; j < k; ++j)
        fprintf(f, "%s,%.6f,%.6f,%.6f,%ld\n", name_of(names, j, buf, sizeof buf), nn_metric_precision(c, j),
                nn_metric_recall(c, j), nn_metric_f1(c, j), row(c, j));
    macro_averages(c, &mp, &mr, &mf);
    fprintf(f, "macro,%.6f,%.6f,%.6f,%ld\n", mp, mr, mf, c->seen);
    fprintf(f, "accuracy,%.6f,,,%ld\n", nn_metric_accuracy(c), c->seen);
    if (k > 5) fprintf(f, "top5_accuracy,%.6f,,,%ld\n", c->seen ? (double)c->top5 / (double)c->seen : 0.0, c->seen);
    if (close_checked(f) != 0) goto fail;
    snprintf(path, sizeof path, "%s/confusion.csv", dir);
    f = fopen(path, "w");
    if (!f) goto fail;
    fprintf(f, "true\\predicted");
    for (int p = 0; p < k; ++p) fprintf(f, ",%s", name_of(names, p, buf, sizeof buf));
    fprintf(f, "\n");
    for (int t = 0; t < k; ++t) {
        fprintf(f, "%s", name_of(names, t, buf, sizeof buf));
        for (int p = 0; p < k; ++p) fprintf(f, ",%ld", c->counts[(size_t)t * k + p]);
        fprintf(f, "\n");
    }
    if (close_checked(f) != 0) goto fail;
    return 0;
fail:
    snprintf(err, errlen, "cannot write %s (%s)", path, strerror(errno));
    return -1;
}
