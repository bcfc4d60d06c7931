/* Classification metrics from a confusion matrix: accuracy, top-5 accuracy
 * (kept apart, from the outputs), per-class precision, recall and F1, and
 * their macro averages. */
#ifndef NN_METRICS_H
#define NN_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    int classes;
    long *counts; /* classes x classes: [true][predicted] */
    long top5, seen;
} nn_confusion;

/* The index of the largest of k values (the first one on a tie). */
int nn_argmax(const float *v, int k);

int nn_confusion_init(nn_confusion *c, int classes); /* 0, or -1 out of memory */
void nn_confusion_free(nn_confusion *c);
/* Adds n rows of outputs (n x classes) with their true classes. */
void nn_confusion_add(nn_confusion *c, const float *outputs, const int *labels, int n);
/* Counts one record of true class t predicted as p. */
void nn_confusion_count(nn_confusion *c, int t, int p);

double nn_metric_precision(const nn_confusion *c, int k); /* 0 when nothing was predicted as k */
double nn_metric_recall(const nn_confusion *c, int k);
double nn_metric_f1(const nn_confusion *c, int k);
double nn_metric_accuracy(const nn_confusion *c);

/* The per-class table, macro averages and the confusion matrix; names: the
 * classes' names, or NULL for their numbers. */
void nn_metrics_print(const nn_confusion *c, char *const *names, FILE *out);
/* The same as DIR/metrics.csv and DIR/confusion.csv. Returns 0, or -1 with the reason in err. */
int nn_metrics_write_csv(const nn_confusion *c, char *const *names, const char *dir, char *err, size_t errlen);

#endif
