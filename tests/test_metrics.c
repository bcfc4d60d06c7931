/* Metrics on a hand-made confusion matrix: 8 samples of 3 classes,
 * true -> predicted: 0->0, 0->0, 0->1, 1->1, 1->2, 2->2, 2->2, 2->0, so
 * rows (true) [2 1 0], [0 1 1], [1 0 2]; precision 2/3, 1/2, 2/3; recall
 * 2/3, 1/2, 2/3; accuracy 5/8 (worked out by hand). */
#include "metrics.h"

#include <criterion/criterion.h>

Test(metrics, precision_recall_f1_accuracy_and_matrix)
{
    const int truth[8] = { 0, 0, 0, 1, 1, 2, 2, 2 }, predicted[8] = { 0, 0, 1, 1, 2, 2, 2, 0 };
    float outputs[8 * 3] = { 0 };
    for (int i = 0; i < 8; ++i) outputs[i * 3 + predicted[i]] = 1.0f; /* the predicted class has the largest output */
    nn_confusion c;
    cr_assert_eq(nn_confusion_init(&c, 3), 0);
    nn_confusion_add(&c, outputs, truth, 5);
    nn_confusion_add(&c, outputs + 15, truth + 5, 3);
    const long rows[9] = { 2, 1, 0, 0, 1, 1, 1, 0, 2 };
    for (int i = 0; i < 9; ++i) cr_expect_eq(c.counts[i], rows[i], "cell %d", i);
    const double precision[3] = { 2.0 / 3, 0.5, 2.0 / 3 }, recall[3] = { 2.0 / 3, 0.5, 2.0 / 3 };
    for (int k = 0; k < 3; ++k) {
        cr_expect_float_eq(nn_metric_precision(&c, k), precision[k], 1e-12, "precision %d", k);
        cr_expect_float_eq(nn_metric_recall(&c, k), recall[k], 1e-12, "recall %d", k);
        cr_expect_float_eq(nn_metric_f1(&c, k), precision[k], 1e-12, "f1 %d (precision = recall)", k);
    }
    cr_expect_float_eq(nn_metric_accuracy(&c), 5.0 / 8, 1e-12);
    cr_expect_eq(c.top5, 8, "every label is within the top 5 of 3 classes");
    nn_confusion_free(&c);
}

Test(metrics, precision_of_a_class_never_predicted_is_zero)
{
    nn_confusion c;
    cr_assert_eq(nn_confusion_init(&c, 2), 0);
    const float outputs[2] = { 1.0f, 0.0f };
    const int labels[1] = { 1 };
    nn_confusion_add(&c, outputs, labels, 1);
    cr_expect_float_eq(nn_metric_precision(&c, 1), 0.0, 0);
    cr_expect_float_eq(nn_metric_recall(&c, 1), 0.0, 0);
    cr_expect_float_eq(nn_metric_f1(&c, 1), 0.0, 0);
    nn_confusion_free(&c);
}
