/* The metrics of an evaluation, in the form the task asks for:
 * - classification: the confusion matrix (metrics.h), per-class precision,
 *   recall and F1, top-5 accuracy;
 * - binary: accuracy at probability 0.5, precision, recall and F1 of the
 *   positive class, ROC AUC and the 2x2 confusion matrix;
 * - multi-label: per-label precision, recall and F1, their macro average and
 *   the exact-match accuracy;
 * - regression: MAE, RMSE and R² over every output. */
#ifndef NN_EVALUATION_H
#define NN_EVALUATION_H

#include "dataset.h"
#include "metrics.h"

#include <stdio.h>

typedef struct {
    nn_task task;
    int outputs;
    long seen;
    nn_confusion confusion; /* classification (K x K) and binary (2 x 2) */
    float *scores, *truth;  /* binary: every logit and label, for the ROC AUC */
    long *tp, *fp, *fn;     /* multi-label: per label */
    long exact;             /* multi-label: records with every label right */
    double abs_sum, sq_sum, y_sum, y_sq_sum; /* regression, over every output */
} nn_eval;

/* Room for `records` records. Returns 0, or -1 out of memory. */
int nn_eval_init(nn_eval *e, nn_task task, int outputs, size_t records);
/* Adds the outputs (n x K) of records samples[0..n) of ds. */
void nn_eval_add(nn_eval *e, const float *outputs, const nn_dataset *ds, const uint32_t *samples, int n);
double nn_eval_mae(const nn_eval *e);
double nn_eval_rmse(const nn_eval *e);
double nn_eval_r2(const nn_eval *e);
double nn_eval_auc(const nn_eval *e);
/* The task's report; class names from ds when it has them. */
void nn_eval_print(const nn_eval *e, const nn_dataset *ds, FILE *out);
/* The same as DIR/metrics.csv (and DIR/confusion.csv for classes). Returns 0, or -1 with the reason in err. */
int nn_eval_write_csv(const nn_eval *e, const nn_dataset *ds, const char *dir, char *err, size_t errlen);
void nn_eval_free(nn_eval *e);

#endif
