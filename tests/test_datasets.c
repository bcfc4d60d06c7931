/* The shipped networks for the user's own data, trained end to end by their
 * trainers on files tests/tools/make_data.py writes (seeded), as the README's
 * examples run them: signal_conv1d from an .npz, binary_cnn from a PNG
 * folder, regression_mlp from CSV files (and the L1/L2 contrast under
 * outliers), multilabel_cnn from .npy files; Fashion-MNIST read from IDX, an
 * .npz and a PNG folder trains to identical results; --predict on files. */
#include "helpers.h"

#define PYTHON "/usr/bin/python3"

static char dir[64];
static void setup(void) { make_dir(dir, sizeof dir, "datasets"); }
static void teardown(void) { remove_dir(dir); }

TestSuite(datasets, .init = setup, .fini = teardown, .timeout = 600);

static void make_data(const char *kind, const char *sub, const char *extra)
{
    char cmd[512], out[4096];
    snprintf(cmd, sizeof cmd, PYTHON " tests/tools/make_data.py %s %s/%s %s 2>&1", kind, dir, sub, extra);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s:\n%s", cmd, out);
}

/* Runs BUILD_DIR/SPEC/train with args (each %s the test's directory); returns what it printed. */
static void train(const char *spec, const char *args, char *out, size_t len)
{
    char cmd[2048], filled[1024];
    snprintf(filled, sizeof filled, args, dir, dir, dir, dir);
    snprintf(cmd, sizeof cmd, BUILD_DIR "/%s/train %s 2>&1", spec, filled);
    cr_assert_eq(run_capture(cmd, out, len), 0, "%s failed:\n%s", cmd, out);
    cr_log_info("%s", strstr(out, "data: ") ? strstr(out, "data: ") : out);
}

Test(datasets, signal_conv1d_from_an_npz)
{
    char out[32768];
    make_data("signals", "s", "");
    train("signal_conv1d", "--data %s/s/signals.npz --epochs 4 --lr 0.001 --threads 2", out, sizeof out);
    cr_expect(strstr(out, "900 training, 100 validation, 250 test records of 7x500"), "%s", out);
    cr_expect_geq(find(out, "accuracy "), 95.0, "%s", out);
}

Test(datasets, binary_cnn_from_a_png_folder)
{
    char out[32768];
    make_data("shapes", "p", "");
    train("binary_cnn", "--data %s/p --epochs 6 --lr 0.0005 --flip --threads 2 --save %s/run", out, sizeof out);
    cr_expect(strstr(out, "for binary classification"), "%s", out);
    cr_expect_geq(find(out, "accuracy "), 95.0, "%s", out);
    cr_expect_geq(find(out, "ROC AUC "), 0.98, "%s", out);
    cr_expect(strstr(out, "positive class square:"), "classes are the sorted folder names:\n%s", out);

    /* predictions on a folder of new images and on one image, named by file, classes by name */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, BUILD_DIR "/binary_cnn/train --predict %s/run/last.safetensors --input %s/p/test/square "
             "--out %s/pred.csv >/dev/null && head -2 %s/pred.csv && grep -c ',square,' %s/pred.csv",
             dir, dir, dir, dir, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strncmp(out, "record,predicted,probability_square\n0001.png,square,", 52) == 0, "%s", out);
    const char *count = strchr(strchr(out, '\n') + 1, '\n') + 1; /* the third line: rows predicted square */
    cr_expect_geq(atoi(count), 95, "of 100 squares:\n%s", out);
    snprintf(cmd, sizeof cmd, BUILD_DIR "/binary_cnn/train --predict %s/run/last.safetensors --input %s/p/test/circle/0000.png "
             "--out %s/one.csv >/dev/null && cat %s/one.csv", dir, dir, dir, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "/p/test/circle/0000.png,circle,0.0"), "%s", out);
}

Test(datasets, regression_mlp_from_csv_reaches_r2)
{
    char out[32768];
    make_data("tabular", "t", "");
    train("regression_mlp", "--data %s/t --epochs 40 --lr 0.003 --threads 1 --keep-best r2 --save %s/run", out,
          sizeof out);
    cr_expect(strstr(out, "for regression") && !strstr(out, "accuracy"), "%s", out);
    cr_expect_geq(find(strstr(out, "test: loss"), "R2 "), 0.99, "%s", out);

    /* predictions on a CSV file: its target column is left out, one output per row */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, BUILD_DIR "/regression_mlp/train --predict %s/run/best.safetensors --input %s/t/test.csv "
             "--out %s/pred.csv >/dev/null && head -1 %s/pred.csv && grep -c . %s/pred.csv", dir, dir, dir, dir, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    cr_expect_str_eq(out, "record,output_0\n501\n");
}

/* Outliers in the training targets pull the squared error's fit, not the absolute error's: on clean test
 * data the L1 model's MAE is lower. */
Test(datasets, l1_beats_l2_under_outliers)
{
    char l2[32768], l1[32768];
    make_data("tabular", "o", "--outliers 0.1");
    train("regression_mlp", "--data %s/o --epochs 40 --lr 0.003 --threads 1", l2, sizeof l2);
    train("regression_mlp_l1", "--data %s/o --epochs 40 --lr 0.003 --threads 1", l1, sizeof l1);
    const double mae2 = find(l2, "MAE "), mae1 = find(l1, "MAE ");
    cr_log_info("test MAE: L2 %g, L1 %g", mae2, mae1);
    cr_expect_lt(mae1, 0.8 * mae2, "L1 %g, L2 %g", mae1, mae2);
}

Test(datasets, multilabel_cnn_from_npy_files)
{
    char out[32768];
    make_data("multilabel", "m", "");
    train("multilabel_cnn", "--data %s/m --epochs 6 --lr 0.002 --threads 2 --classes a,b,c,d", out, sizeof out);
    cr_expect(strstr(out, "for multi-label classification"), "%s", out);
    cr_expect_geq(find(out, "exact-match accuracy "), 90.0, "%s", out);
    cr_expect(strstr(out, "\nd "), "label names in the table:\n%s", out);
}

/* The same images from three formats: IDX and an .npz in the same order train to the same figures, to the
 * last digit; a PNG folder (in class order) holds the same pixels and labels, so an untrained model's test
 * loss is the same, and training reaches the same accuracy. */
Test(datasets, fashion_from_idx_npz_and_png_folders_alike)
{
    char idx[32768], npz[32768], png[32768];
    make_data("fashion", "f", "--limit 2000");
    train("fmnist_cnn", "--epochs 1 --limit 2000 --threads 2 --seed 3", idx, sizeof idx);
    train("fmnist_cnn", "--data %s/f/fashion.npz --epochs 1 --threads 2 --seed 3", npz, sizeof npz);
    cr_expect_eq(find(npz, "epoch 1/1: train loss "), find(idx, "epoch 1/1: train loss "), "npz and IDX differ");
    cr_expect_eq(find(npz, "val loss "), find(idx, "val loss "), "npz and IDX differ");

    train("fmnist_cnn", "--data %s/f/fashion.npz --epochs 0 --val-split 0 --threads 2", npz, sizeof npz);
    train("fmnist_cnn", "--data %s/f --format images --epochs 0 --val-split 0 --threads 2", png, sizeof png);
    cr_expect_eq(find(npz, "normalized with mean "), find(png, "normalized with mean "));
    cr_expect_eq(find(npz, "test: loss "), find(png, "test: loss "), "npz and PNG differ");
    cr_expect(strstr(png, "1_trouser"), "class names from the folders:\n%s", png);

    train("fmnist_cnn", "--data %s/f/fashion.npz --epochs 3 --threads 2", npz, sizeof npz);
    train("fmnist_cnn", "--data %s/f --format images --epochs 3 --threads 2", png, sizeof png);
    cr_expect_float_eq(find(npz, "accuracy "), find(png, "accuracy "), 2.5, "npz and PNG accuracies");
}
