/* nn_eval's report: printed, and as CSV files in the run directory. */
#include "evaluation.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static double ratio(long a, long b) { return b ? (double)a / (double)b : 0.0; }

static void label_scores(const nn_eval *e, int j, double *p, double *r, double *f1)
{
    *p = ratio(e->tp[j], e->tp[j] + e->fp[j]);
    *r = ratio(e->tp[j], e->tp[j] + e->fn[j]);
    *f1 = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0.0;
}

static void print_binary(const nn_eval *e, const nn_dataset *ds, FILE *out)
{
    const nn_confusion *c = &e->confusion;
    char neg[16], pos[16];
    const char *n0 = nn_dataset_class_name(ds, 0, neg, sizeof neg), *n1 = nn_dataset_class_name(ds, 1, pos, sizeof pos);
    fprintf(out, "positive class %s: precision %.4f recall %.4f F1 %.4f | ROC AUC %.4f\n", n1,
            nn_metric_precision(c, 1), nn_metric_recall(c, 1), nn_metric_f1(c, 1), nn_eval_auc(e));
    fprintf(out, "confusion matrix at probability 0.5 (rows: true, columns: predicted)\n");
    fprintf(out, "%12s %9.9s %9.9s\n%12.12s %9ld %9ld\n%12.12s %9ld %9ld\n", "", n0, n1, n0, c->counts[0],
            c->counts[1], n1, c->counts[2], c->counts[3]);
}

static void print_multilabel(const nn_eval *e, const nn_dataset *ds, FILE *out)
{
    char buf[16];
    double p, r, f1, mp = 0, mr = 0, mf = 0;
    fprintf(out, "%-12s  precision  recall      f1  support\n", "label");
    for (int j = 0; j < e->outputs; ++j) {
        label_scores(e, j, &p, &r, &f1);
        mp += p / e->outputs, mr += r / e->outputs, mf += f1 / e->outputs;
        fprintf(out, "%-12.12s  %9.4f  %6.4f  %6.4f  %7ld\n", nn_dataset_class_name(ds, j, buf, sizeof buf), p, r,
                f1, e->tp[j] + e->fn[j]);
    }
    fprintf(out, "%-12s  %9.4f  %6.4f  %6.4f  %7ld\n", "macro", mp, mr, mf, e->seen);
    fprintf(out, "exact-match accuracy %.2f%% (every label right at probability 0.5)\n",
            100.0 * ratio(e->exact, e->seen));
}

void nn_eval_print(const nn_eval *e, const nn_dataset *ds, FILE *out)
{
    if (e->task == NN_TASK_CLASS) nn_metrics_print(&e->confusion, ds->class_names, out);
    else if (e->task == NN_TASK_BINARY) print_binary(e, ds, out);
    else if (e->task == NN_TASK_MULTILABEL) print_multilabel(e, ds, out);
    else fprintf(out, "MAE %.6g RMSE %.6g R2 %.6f\n", nn_eval_mae(e), nn_eval_rmse(e), nn_eval_r2(e));
}

static void write_rows(const nn_eval *e, const nn_dataset *ds, FILE *f)
{
    char buf[16];
    if (e->task == NN_TASK_BINARY) {
        const nn_confusion *c = &e->confusion;
        fprintf(f, "metric,value\naccuracy,%.6f\nprecision,%.6f\nrecall,%.6f\nf1,%.6f\nroc_auc,%.6f\n",
                nn_metric_accuracy(c), nn_metric_precision(c, 1), nn_metric_recall(c, 1), nn_metric_f1(c, 1),
                nn_eval_auc(e));
        fprintf(f, "tn,%ld\nfp,%ld\nfn,%ld\ntp,%ld\n", c->counts[0], c->counts[1], c->counts[2], c->counts[3]);
    } else if (e->task == NN_TASK_MULTILABEL) {
        double p, r, f1;
        fprintf(f, "label,precision,recall,f1,support\n");
        for (int j = 0; j < e->outputs; ++j) {
            label_scores(e, j, &p, &r, &f1);
            fprintf(f, "%s,%.6f,%.6f,%.6f,%ld\n", nn_dataset_class_name(ds, j, buf, sizeof buf), p, r, f1,
                    e->tp[j] + e->fn[j]);
        }
        fprintf(f, "exact_match,%.6f,,,%ld\n", ratio(e->exact, e->seen), e->seen);
    } else {
        fprintf(f, "metric,value\nmae,%.9g\nrmse,%.9g\nr2,%.9g\n", nn_eval_mae(e), nn_eval_rmse(e), nn_eval_r2(e));
    }
}

int nn_eval_write_csv(const nn_eval *e, const nn_dataset *ds, const char *dir, char *err, size_t errlen)
{
    if (e->task == NN_TASK_CLASS) return nn_metrics_write_csv(&e->confusion, ds->class_names, dir, err, errlen);
    char path[4200];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "w");
    int ok = f != NULL;
    if (f) {
        write_rows(e, ds, f);
        ok = !ferror(f); /* a buffer flushed early may have failed */
        ok = fclose(f) == 0 && ok;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write %s (%s)", path, strerror(errno));
        return -1;
    }
    return 0;
}
