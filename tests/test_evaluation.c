/* The task metrics on hand-made outputs, every expected figure worked out by
 * hand in the comments: binary (accuracy at 0.5, positive-class precision and
 * recall, ROC AUC with a tie), multi-label (per-label scores, exact match)
 * and regression (MAE, RMSE, R²). */
#include "evaluation.h"

#include <criterion/criterion.h>
#include <math.h>

static nn_dataset with_targets(float *y, size_t count, size_t width)
{
    return (nn_dataset){ .count = count, .target_size = width, .y = y };
}

static const uint32_t ALL[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

/* Logits and labels: positives score 3, 1, 0 (tie with a negative) and -1; negatives 2, 0, -2, -3.
 * Pairs (positive above negative): 3 beats 4 negatives, 1 beats 3, 0 beats 2 and ties 1, -1 beats 2:
 * (4 + 3 + 2.5 + 2) / 16 = 11.5 / 16. At p > 0.5 (logit > 0): predicted positive 3, 1, 2;
 * tp 2, fp 1, fn 2 (0 and -1), tn 3: accuracy 5/8, precision 2/3, recall 1/2. */
Test(evaluation, binary_accuracy_precision_recall_and_auc)
{
    float z[8] = { 3, 1, 0, -1, 2, 0, -2, -3 }, y[8] = { 1, 1, 1, 1, 0, 0, 0, 0 };
    nn_dataset ds = with_targets(y, 8, 1);
    nn_eval e;
    cr_assert_eq(nn_eval_init(&e, NN_TASK_BINARY, 1, 8), 0);
    nn_eval_add(&e, z, &ds, ALL, 3);
    nn_eval_add(&e, z + 3, &ds, ALL + 3, 5);
    cr_expect_float_eq(nn_eval_auc(&e), 11.5 / 16, 1e-12);
    cr_expect_float_eq(nn_metric_accuracy(&e.confusion), 5.0 / 8, 1e-12);
    cr_expect_float_eq(nn_metric_precision(&e.confusion, 1), 2.0 / 3, 1e-12);
    cr_expect_float_eq(nn_metric_recall(&e.confusion, 1), 0.5, 1e-12);
    nn_eval_free(&e);
}

/* Three labels over three records: logits > 0 predict the label.
 * record 0: predicted {0, 2}, true {0, 2}: exact; record 1: predicted {1}, true {0, 1}; record 2:
 * predicted {}, true {}: exact. Label 0: tp 1, fn 1 -> precision 1, recall 1/2; label 1: tp 1;
 * label 2: tp 1. Exact match 2/3. */
Test(evaluation, multilabel_scores_and_exact_match)
{
    float z[9] = { 2, -1, 3, -1, 1, -2, -1, -1, -1 }, y[9] = { 1, 0, 1, 1, 1, 0, 0, 0, 0 };
    nn_dataset ds = with_targets(y, 3, 3);
    nn_eval e;
    cr_assert_eq(nn_eval_init(&e, NN_TASK_MULTILABEL, 3, 3), 0);
    nn_eval_add(&e, z, &ds, ALL, 3);
    cr_expect_eq(e.exact, 2);
    cr_expect_eq(e.tp[0], 1);
    cr_expect_eq(e.fn[0], 1);
    cr_expect_eq(e.fp[0], 0);
    cr_expect_eq(e.tp[1] + e.tp[2], 2);
    nn_eval_free(&e);
}

/* Targets 1, 2, 3, 4 (mean 2.5, SST 5) predicted 1, 2, 3, 6: errors 0, 0, 0, 2: MAE 0.5,
 * RMSE sqrt(4 / 4) = 1, R² = 1 - 4 / 5 = 0.2. */
Test(evaluation, regression_mae_rmse_and_r2)
{
    float z[4] = { 1, 2, 3, 6 }, y[4] = { 1, 2, 3, 4 };
    nn_dataset ds = with_targets(y, 4, 1);
    nn_eval e;
    cr_assert_eq(nn_eval_init(&e, NN_TASK_REGRESSION, 1, 4), 0);
    nn_eval_add(&e, z, &ds, ALL, 4);
    cr_expect_float_eq(nn_eval_mae(&e), 0.5, 1e-12);
    cr_expect_float_eq(nn_eval_rmse(&e), 1.0, 1e-12);
    cr_expect_float_eq(nn_eval_r2(&e), 0.2, 1e-12);
    nn_eval_free(&e);
}

/* A task follows from the loss and the output count. */
Test(evaluation, the_loss_decides_the_task)
{
    cr_expect_eq(nn_task_of("softmax_cross_entropy", 10), NN_TASK_CLASS);
    cr_expect_eq(nn_task_of("binary_cross_entropy", 1), NN_TASK_BINARY);
    cr_expect_eq(nn_task_of("binary_cross_entropy", 4), NN_TASK_MULTILABEL);
    cr_expect_eq(nn_task_of("mse", 3), NN_TASK_REGRESSION);
    cr_expect_eq(nn_task_of("l1", 1), NN_TASK_REGRESSION);
}
