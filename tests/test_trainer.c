/* The trainer binaries (BUILD_DIR/fmnist_cnn/train on IDX data, and a small
 * residual CNN with BN and DropBlock on CIFAR-10 files) as a user runs them:
 * bad options and bad data give one clear line and a non-zero exit; on small
 * synthetic data sets written here the loss falls and runs are reproducible. */
#include "helpers.h"

#include <stdint.h>

#define TRAINER BUILD_DIR "/fmnist_cnn/train"
#define CIFAR_TRAINER BUILD_DIR "/tests/trainers/cifar_small/train"

static char dir[64];
static void setup(void) { make_dir(dir, sizeof dir, "train"); }
static void teardown(void) { remove_dir(dir); }

TestSuite(trainer, .init = setup, .fini = teardown, .timeout = 300);

static int run(const char *args, char *out, size_t len)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, TRAINER " %s 2>&1", args);
    return run_capture(cmd, out, len);
}

Test(trainer, rejects_unknown_options)
{
    char out[4096];
    cr_expect_eq(run("--epoch 3", out, sizeof out), 2);
    cr_expect_str_eq(out, TRAINER ": unknown option '--epoch' (see --help)\n");
    cr_expect_eq(run("--lr fast", out, sizeof out), 2);
    cr_expect_str_eq(out, TRAINER ": --lr needs a number in [0, 1000], got 'fast'\n");
    cr_expect_eq(run("--optimizer rmsprop", out, sizeof out), 2);
    cr_expect_str_eq(out, TRAINER ": --optimizer must be sgd, adam or adamw, got 'rmsprop'\n");
    cr_expect_eq(run("--schedule linear", out, sizeof out), 2);
    cr_expect_str_eq(out, TRAINER ": --schedule must be constant, step, multistep or cosine, got 'linear'\n");
    cr_expect_eq(run("--lr-milestones 5,3", out, sizeof out), 2);
    cr_expect_str_eq(out, TRAINER ": --lr-milestones needs increasing epochs like 3,6 (at most 16), got '5,3'\n");
}

/* A normalization that is not finite is refused before anything is read or written. */
Test(trainer, refuses_a_mean_or_std_that_is_not_finite)
{
    char out[4096], args[256], cmd[256];
    snprintf(args, sizeof args, "--mean nan --std 0.3 --save %s/r", dir);
    cr_expect_eq(run(args, out, sizeof out), 2);
    cr_expect_str_eq(out, TRAINER ": --mean needs one finite number per channel like 0.5,0.5,0.5, got 'nan'\n");
    snprintf(args, sizeof args, "--mean 0.3 --std inf --save %s/r", dir);
    cr_expect_eq(run(args, out, sizeof out), 2);
    cr_expect_str_eq(out, TRAINER ": --std needs one finite positive number per channel like 0.5,0.5,0.5, got 'inf'\n");
    snprintf(cmd, sizeof cmd, "test -e %s/r", dir);
    cr_expect_neq(system(cmd), 0, "the run directory was created");
}

Test(trainer, help_lists_the_options)
{
    char out[8192];
    cr_expect_eq(run("--help", out, sizeof out), 0);
    const char *options[] = { "--data", "--epochs", "--lr", "--optimizer", "--momentum", "--nesterov",
                              "--weight-decay", "--decay-bias", "--beta1", "--beta2", "--eps", "--schedule",
                              "--lr-step", "--lr-milestones", "--lr-gamma", "--lr-min", "--warmup-epochs",
                              "--val-split", "--seed", "--threads", "--limit", "--print-every", "--format",
                              "--crop-pad", "--flip", "--noise", "--mean", "--std", "--save", "--resume",
                              "--stop-after" };
    for (size_t i = 0; i < sizeof options / sizeof options[0]; ++i)
        cr_expect(strstr(out, options[i]) != NULL, "--help does not mention %s", options[i]);
}

Test(trainer, reports_missing_data_in_one_line)
{
    char out[8192], args[256];
    snprintf(args, sizeof args, "--data %s/nothing", dir);
    cr_expect_eq(run(args, out, sizeof out), 1);
    const char *last = strstr(out, "train: ");
    cr_assert_not_null(last, "%s", out);
    cr_expect(strstr(last, "/nothing: no such file or directory\n") != NULL, "%s", last);
    snprintf(args, sizeof args, "--data %s", dir);
    cr_expect_eq(run(args, out, sizeof out), 1);
    cr_expect(strstr(out, "train: ") && strstr(out, ": no data found (looked for data_batch_1.bin, "
                                                    "train-images-idx3-ubyte[.gz], x_train.npy"), "%s", out);
}

Test(trainer, rejects_images_of_the_wrong_size)
{
    char out[8192], args[256];
    write_idx_set(dir, "train", 30, 20, 0, 1);
    write_idx_set(dir, "t10k", 9, 20, 0, 2);
    snprintf(args, sizeof args, "--data %s", dir);
    cr_expect_eq(run(args, out, sizeof out), 1);
    cr_expect(strstr(out, "-images-idx3-ubyte: inputs are [30, 20, 20] (400 values per record), but model fmnist_cnn "
                          "takes 1x28x28 (784 values)\n"), "%s", out);
}

Test(trainer, rejects_labels_beyond_the_outputs)
{
    char out[8192], args[256];
    write_idx_set(dir, "train", 30, 28, 8, 1); /* labels 8, 9, 10 */
    write_idx_set(dir, "t10k", 9, 28, 0, 2);
    snprintf(args, sizeof args, "--data %s", dir);
    cr_expect_eq(run(args, out, sizeof out), 1);
    cr_expect(strstr(out, "train-labels-idx1-ubyte: record 2: label 10, but the model has 10 outputs (classes 0 to 9)\n"),
              "%s", out);
}

Test(trainer, loss_falls_and_runs_repeat_exactly)
{
    char out[16384], again[16384], args[256];
    write_idx_set(dir, "train", 600, 28, 0, 1);
    write_idx_set(dir, "t10k", 150, 28, 0, 2);
    snprintf(args, sizeof args, "--data %s --epochs 3 --threads 1 --seed 5 --lr 0.001", dir);
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    const double first = find(out, "epoch 1/3: train loss "), last = find(out, "epoch 3/3: train loss ");
    cr_expect_lt(last, 0.5 * first, "training loss did not fall: %g -> %g\n%s", first, last, out);
    cr_expect_geq(find(out, "accuracy "), 90.0, "%s", out);
    cr_log_info("%s", strstr(out, "epoch 1/3"));
    cr_assert_eq(run(args, again, sizeof again), 0);
    const char *keys[] = { "epoch 1/3: train loss ", "epoch 3/3: train loss ", "val loss ", "test: loss " };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; ++i)
        cr_expect_eq(find(out, keys[i]), find(again, keys[i]), "same seed, different '%s':\n%s\n%s", keys[i], out, again);
}

Test(trainer, trains_on_cifar10_files_with_augmentation)
{
    char out[16384], cmd[512];
    write_cifar(dir, "data_batch_1.bin", 400, 1);
    write_cifar(dir, "data_batch_2.bin", 200, 2);
    write_cifar(dir, "test_batch.bin", 200, 3);
    snprintf(cmd, sizeof cmd, CIFAR_TRAINER " --data %s --epochs 8 --lr 0.01 --crop-pad 2 --flip --threads 1 2>&1", dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "600 training") == NULL && strstr(out, "540 training, 60 validation, 200 test records of 3x32x32"),
              "both training files and the test file were not read:\n%s", out);
    cr_expect(strstr(out, "augmentation: crop padding 2, flips on") != NULL, "%s", out);
    const double first = find(out, "epoch 1/8: train loss "), last = find(out, "epoch 8/8: train loss ");
    cr_expect_lt(last, 0.5 * first, "training loss did not fall: %g -> %g\n%s", first, last, out);
    cr_log_info("%s", strstr(out, "epoch 1/8"));
}

/* Stopped after epoch 1 and resumed, a run ends with the same checkpoint, byte
 * for byte, as the run that was never stopped (DropBlock masks, augmentation,
 * shuffling and the cosine schedule included). */
Test(trainer, resumed_run_is_bit_identical)
{
    char out[16384], cmd[1024];
    write_cifar(dir, "data_batch_1.bin", 200, 1);
    write_cifar(dir, "test_batch.bin", 50, 3);
    const char *common = "--crop-pad 2 --flip --lr 0.01 --seed 4 --threads 2 --schedule cosine";
    snprintf(cmd, sizeof cmd, "mkdir -p %s/a %s/b %s/c && " CIFAR_TRAINER " --data %s %s --epochs 3 --save %s/a 2>&1", dir,
             dir, dir, dir, common, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, CIFAR_TRAINER " --data %s %s --epochs 3 --stop-after 1 --save %s/b 2>&1", dir, common, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, CIFAR_TRAINER " --data %s %s --epochs 3 --resume %s/b/last.safetensors --save %s/c 2>&1",
             dir, common, dir, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "after epoch 1 (step 6)") != NULL, "%s", out);
    snprintf(cmd, sizeof cmd, "cmp %s/a/last.safetensors %s/c/last.safetensors 2>&1", dir, dir);
    cr_expect_eq(run_capture(cmd, out, sizeof out), 0, "the resumed run differs: %s", out);
    /* a checkpoint of another network is refused in one line that names it */
    snprintf(cmd, sizeof cmd, TRAINER " --resume %s/a/last.safetensors 2>&1 | tail -1", dir);
    run_capture(cmd, out, sizeof out);
    cr_expect(strstr(out, "train: ") == out &&
                  strstr(out, "field 'spec': a checkpoint of cifar_small; this trainer is for fmnist_cnn"),
              "%s", out);
}
