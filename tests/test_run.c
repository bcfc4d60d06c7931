/* What a training run leaves behind and what can be done with it, through
 * the trainer binaries on small data sets written here: the run directory
 * (log.csv, TensorBoard events, metrics and confusion CSVs, best and last
 * checkpoints), --eval and --predict, freezing, gradient accumulation,
 * divergence, and a checkpoint or a log that cannot be written. */
#include "helpers.h"
#include "tb_events.h"

#include <math.h>
#include <signal.h>
#include <sys/resource.h>

#define TRAINER BUILD_DIR "/fmnist_cnn/train"
#define TRAINERS BUILD_DIR "/tests/trainers/"
#define PYTHON "/usr/bin/python3"

static char dir[64];
static void setup(void) { make_dir(dir, sizeof dir, "run"); }
static void teardown(void) { remove_dir(dir); }

TestSuite(run, .init = setup, .fini = teardown, .timeout = 300);

/* Runs `trainer args`, every %s in args standing for the test's directory. */
static void train(const char *trainer, const char *args, char *out, size_t len)
{
    char cmd[2048], filled[1024];
    snprintf(filled, sizeof filled, args, dir, dir, dir, dir);
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", trainer, filled);
    cr_assert_eq(run_capture(cmd, out, len), 0, "%s failed:\n%s", cmd, out);
}

static void small_idx_data(void)
{
    write_idx_set(dir, "train", 600, 28, 0, 1);
    write_idx_set(dir, "t10k", 150, 28, 0, 2);
}

Test(run, crc32c_matches_the_standard_check_value)
{
    cr_expect_eq(nn_crc32c("123456789", 9), 0xE3069283u);
    cr_expect_eq(nn_crc32c("", 0), 0u);
}

Test(run, directory_holds_log_events_metrics_and_the_best_checkpoint)
{
    char out[32768], cmd[1024];
    small_idx_data();
    train(TRAINER, "--data %s --epochs 3 --lr 0.001 --threads 1 --val-split 0.3 --save %s/r --keep-best acc", out,
          sizeof out);
    cr_expect(strstr(out, "metrics: ") != NULL, "%s", out);

    /* log.csv: a header and one row per epoch, matching the printed lines */
    snprintf(cmd, sizeof cmd, "cat %s/r/log.csv", dir);
    char log[4096];
    run_capture(cmd, log, sizeof log);
    cr_assert(strncmp(log, "epoch,step,train_loss,train_acc,val_loss,val_acc,lr,img_per_s,seconds,val_r2\n", 77) == 0, "%s",
              log);
    double val_acc[4] = { 0 };
    int best_epoch = 0;
    const char *row = strchr(log, '\n') + 1;
    for (int e = 1; e <= 3; ++e) {
        int epoch;
        long step;
        double train_loss, train_acc, val_loss;
        cr_assert_eq(sscanf(row, "%d,%ld,%lf,%lf,%lf,%lf", &epoch, &step, &train_loss, &train_acc, &val_loss,
                            &val_acc[e]), 6, "%s", row);
        cr_expect_eq(epoch, e);
        cr_expect_eq(step, 7L * e, "420 training images in batches of 64 are 7 steps an epoch");
        char key[64];
        snprintf(key, sizeof key, "epoch %d/3: train loss ", e);
        cr_expect_float_eq(train_loss, find(out, key), 1e-4);
        if (val_acc[e] > val_acc[best_epoch]) best_epoch = e;
        row = strchr(row, '\n') + 1;
    }
    cr_expect_eq(*row, '\0', "more rows than epochs:\n%s", log);

    /* best.safetensors is the epoch with the best validation accuracy */
    snprintf(cmd, sizeof cmd, "head -c 300 %s/r/best.safetensors | grep -ao '\"epoch\":\"[0-9]*\"'", dir);
    char epoch_field[64];
    run_capture(cmd, epoch_field, sizeof epoch_field);
    char want[64];
    snprintf(want, sizeof want, "\"epoch\":\"%d\"\n", best_epoch);
    cr_expect_str_eq(epoch_field, want);

    /* metrics.csv and confusion.csv: 10 classes, 150 test images */
    snprintf(cmd, sizeof cmd, "grep -c . %s/r/metrics.csv; tail -1 %s/r/confusion.csv | tr ',' '\\n' | grep -c .", dir,
             dir);
    run_capture(cmd, out, sizeof out);
    cr_expect_str_eq(out, "14\n11\n", "header, 10 classes, macro, accuracy, top-5; a label and 10 counts");
    snprintf(cmd, sizeof cmd, "grep '^macro,' %s/r/metrics.csv", dir);
    run_capture(cmd, out, sizeof out);
    cr_expect(strstr(out, ",150\n") != NULL, "%s", out);

    /* the TensorBoard file decodes with its CRCs, one train/batch_loss per step and
       the epoch figures of log.csv */
    snprintf(cmd, sizeof cmd, PYTHON " tests/tools/read_tfevents.py %s/r/events.out.tfevents.* > %s/events.txt && "
             "head -1 %s/events.txt && grep -c train/batch_loss %s/events.txt && grep 'epoch/val_acc' %s/events.txt",
             dir, dir, dir, dir, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strncmp(out, "version brain.Event:2\n21\n7 epoch/val_acc ", 40) == 0, "%s", out);
    long step;
    double v;
    const char *line = strstr(out, "7 epoch/val_acc ");
    for (int e = 1; e <= 3 && line; ++e) {
        cr_assert_eq(sscanf(line, "%ld epoch/val_acc %lf", &step, &v), 2, "%s", line);
        cr_expect_eq(step, 7L * e);
        cr_expect_float_eq(v, val_acc[e], 1e-5, "epoch %d: event %g, log.csv %g", e, v, val_acc[e]);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    /* ... and the decoder does check the CRCs: one flipped bit fails it */
    snprintf(cmd, sizeof cmd, "f=$(ls %s/r/events.out.tfevents.*) && printf '\\001' | dd of=$f bs=1 seek=30 count=1 "
             "conv=notrunc 2>/dev/null && " PYTHON " tests/tools/read_tfevents.py $f >/dev/null 2>&1",
             dir);
    cr_expect_neq(run_capture(cmd, out, sizeof out), 0, "a corrupted event file decoded");
}

Test(run, eval_and_predict_reproduce_the_test_metrics)
{
    char out[32768], again[32768], cmd[1024];
    small_idx_data();
    /* the run directory's missing parents are created too */
    train(TRAINER, "--data %s --epochs 2 --lr 0.001 --threads 1 --save %s/runs/a/r", out, sizeof out);
    const double loss = find(out, "test: loss ");
    train(TRAINER, "--data %s --eval %s/runs/a/r/last.safetensors --threads 1", again, sizeof again);
    cr_expect_eq(find(again, "test: loss "), loss, "%s", again);
    cr_expect_eq(find(again, "accuracy "), find(out, "accuracy "), "%s", again);
    snprintf(cmd, sizeof cmd, TRAINER " --data %s --predict %s/runs/a/r/last.safetensors --out %s/p.csv --threads 1 >/dev/null "
             "&& head -1 %s/p.csv && grep -c . %s/p.csv && awk -F, 'NR > 1 && $2 == $3' %s/p.csv | wc -l",
             dir, dir, dir, dir, dir, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strncmp(out, "record,label,predicted,probability,probability_0,probability_1,", 63) == 0, "%s", out);
    int rows, correct;
    cr_assert_eq(sscanf(strchr(out, '\n') + 1, "%d %d", &rows, &correct), 2, "%s", out);
    cr_expect_eq(rows, 151);
    cr_expect_float_eq(100.0 * correct / 150, find(again, "accuracy "), 0.006, "%s", again);
    /* a checkpoint without normalization metadata is refused in one line */
    snprintf(cmd, sizeof cmd, TRAINER " --data %s --eval /nonexistent.safetensors 2>&1", dir);
    cr_expect_eq(run_capture(cmd, out, sizeof out), 1);
    cr_expect_str_eq(out, "train: /nonexistent.safetensors: cannot open (No such file or directory)\n");
}

Test(run, resumed_run_keeps_one_log_row_per_epoch)
{
    char out[32768], cmd[512];
    small_idx_data();
    train(TRAINER, "--data %s --epochs 3 --stop-after 2 --threads 1 --save %s/r", out, sizeof out);
    train(TRAINER, "--data %s --epochs 3 --threads 1 --resume %s/r/last.safetensors --save %s/r", out, sizeof out);
    snprintf(cmd, sizeof cmd, "cut -d, -f1 %s/r/log.csv | tr '\\n' ' '", dir);
    run_capture(cmd, out, sizeof out);
    cr_expect_str_eq(out, "epoch 1 2 3 ");
}

Test(run, frozen_tensors_do_not_change)
{
    char out[32768], a[256], b[256];
    small_idx_data();
    const char *args = "--data %s --lr 0.003 --threads 1 --freeze '0.*' --lr-mult '9.*=2' --save %s/";
    char with_epochs[512];
    snprintf(with_epochs, sizeof with_epochs, "%s1 --epochs 1", args);
    train(TRAINER, with_epochs, out, sizeof out);
    cr_expect(strstr(out, "learning rates: 0.* frozen, 9.* x2 (2 of 8 tensors frozen)") != NULL, "%s", out);
    snprintf(with_epochs, sizeof with_epochs, "%s2 --epochs 2", args);
    train(TRAINER, with_epochs, out, sizeof out);
    static float w1[18432], w2[18432];
    const char *names[] = { "0.weight", "0.bias", "3.weight", "9.bias" };
    for (int k = 0; k < 4; ++k) {
        snprintf(a, sizeof a, "%s/1/last.safetensors", dir);
        snprintf(b, sizeof b, "%s/2/last.safetensors", dir);
        const long n1 = read_tensor(a, names[k], w1, 18432), n2 = read_tensor(b, names[k], w2, 18432);
        cr_assert(n1 > 0 && n1 == n2, "%s: %ld and %ld values", names[k], n1, n2);
        const int same = memcmp(w1, w2, sizeof(float) * (size_t)n1) == 0;
        if (k < 2) cr_expect(same, "frozen %s changed between epochs 1 and 2", names[k]);
        else cr_expect(!same, "%s did not train", names[k]);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, TRAINER " --data %s --freeze 'conv.*' 2>&1 | tail -1", dir);
    run_capture(cmd, out, sizeof out);
    cr_expect_str_eq(out, "train: freeze pattern 'conv.*' matches no trainable tensor (names look like '0.weight')\n");
}

/* Four micro-batches of 8 per update train like one batch of 32: the same
 * network (no BatchNorm) at the two batch sizes, including a last, partial
 * update (250 images: 7 updates of 32 and one of 26). */
Test(run, accumulated_batches_train_like_one_larger_batch)
{
    char out[32768], a[256], b[256];
    small_idx_data();
    const char *common = "--data %s --limit 250 --val-split 0 --epochs 2 --optimizer sgd --lr 0.05 --momentum 0.9 "
                         "--threads 1";
    char args[512];
    snprintf(args, sizeof args, "%s --accum 4 --save %%s/small", common);
    train(TRAINERS "mlp_batch8/train", args, out, sizeof out);
    cr_expect(strstr(out, "batch 8 x 4 accumulated") != NULL, "%s", out);
    const double small_loss = find(out, "epoch 2/2: train loss ");
    snprintf(args, sizeof args, "%s --save %%s/large", common);
    train(TRAINERS "mlp_batch32/train", args, out, sizeof out);
    cr_expect_float_eq(small_loss, find(out, "epoch 2/2: train loss "), 2e-4);
    const char *names[] = { "1.weight", "1.bias", "3.weight", "3.bias" };
    static float x[25088], y[25088];
    for (int k = 0; k < 4; ++k) {
        snprintf(a, sizeof a, "%s/small/last.safetensors", dir);
        snprintf(b, sizeof b, "%s/large/last.safetensors", dir);
        const long n = read_tensor(a, names[k], x, 25088);
        cr_assert(n > 0 && n == read_tensor(b, names[k], y, 25088), "%s", names[k]);
        double worst = 0.0, scale = 0.0;
        for (long i = 0; i < n; ++i) {
            worst = fmax(worst, fabs((double)x[i] - y[i]));
            scale = fmax(scale, fabs((double)y[i]));
        }
        cr_expect_leq(worst, 1e-5 * fmax(scale, 1.0), "%s: the two runs differ by %g (values up to %g)", names[k],
                      worst, scale);
    }
}

Test(run, distillation_needs_its_teacher_linked_in)
{
    char out[4096], cmd[512];
    small_idx_data();
    snprintf(cmd, sizeof cmd, TRAINER " --data %s --teacher resnet18:x.safetensors 2>&1 | tail -1", dir);
    run_capture(cmd, out, sizeof out);
    cr_expect_str_eq(out, "train: --teacher resnet18: this trainer has no teacher resnet18 linked in; build one with "
                          "make build SPEC=fmnist_cnn TEACHER=resnet18\n");
}

/* --clip-norm bounds every update: clipped to a tiny norm, two epochs of SGD
 * leave the loss where it was, while the same run unclipped learns. */
Test(run, clipping_bounds_the_updates)
{
    char out[32768];
    small_idx_data();
    const char *common = "--data %s --epochs 2 --optimizer sgd --lr 0.05 --val-split 0 --threads 1";
    char args[512];
    snprintf(args, sizeof args, "%s --clip-norm 1e-6", common);
    train(TRAINER, args, out, sizeof out);
    cr_expect(strstr(out, "gradient norm clipped to 1e-06") != NULL, "%s", out);
    const double clipped1 = find(out, "epoch 1/2: train loss "), clipped2 = find(out, "epoch 2/2: train loss ");
    train(TRAINER, common, out, sizeof out);
    const double free1 = find(out, "epoch 1/2: train loss "), free2 = find(out, "epoch 2/2: train loss ");
    cr_expect_lt(fabs(clipped2 - clipped1), 1e-3, "clipped to 1e-6, the loss still moved: %g -> %g", clipped1, clipped2);
    cr_expect_lt(free2, free1 - 0.1, "unclipped, the loss did not fall: %g -> %g", free1, free2);
}

/* With BatchNorm, a last training batch of a single image is left out (BN
 * cannot normalize one vector; PyTorch refuses it) and the run says so. */
Test(run, batchnorm_never_sees_a_batch_of_one)
{
    char out[32768];
    write_cifar(dir, "data_batch_1.bin", 33, 1);
    write_cifar(dir, "test_batch.bin", 10, 2);
    train(TRAINERS "cifar_small/train", "--data %s --epochs 2 --val-split 0 --threads 1 --print-every 1", out,
          sizeof out);
    cr_expect(strstr(out, "note: 33 training records leave a last batch of 1, which BatchNorm cannot normalize; "
                          "each epoch trains on 32 of them\n") != NULL, "%s", out);
    cr_expect(strstr(out, "epoch 2 step 2: batch loss") != NULL && strstr(out, "step 3") == NULL,
              "one step of 32 images per epoch expected:\n%s", out);
    /* without BatchNorm (fmnist_cnn), every image trains */
    write_idx_set(dir, "train", 65, 28, 0, 1);
    write_idx_set(dir, "t10k", 10, 28, 0, 2);
    train(TRAINER, "--data %s --format idx --epochs 1 --val-split 0 --threads 1 --print-every 1", out, sizeof out);
    cr_expect(strstr(out, "note:") == NULL && strstr(out, "epoch 1 step 2: batch loss") != NULL, "%s", out);
}

/* A checkpoint that cannot be written (its PATH.tmp leads to /dev/full) stops the run with one line on stderr
 * saying why and whether an earlier checkpoint is left; no checkpoint or PATH.tmp is left half-written. */
Test(run, a_failed_save_says_why_and_whether_an_earlier_checkpoint_is_left)
{
    char cmd[2048], err[4096], expected[512], out[1024];
    small_idx_data();
    const char *common = TRAINER " --data %s --threads 1 --limit 64 --save %s/r";
    char trainer[512];
    snprintf(trainer, sizeof trainer, common, dir, dir);
    snprintf(cmd, sizeof cmd,
             "mkdir %s/r && ln -s /dev/full %s/r/last.safetensors.tmp && %s --epochs 1 2>&1 >/dev/null", dir, dir,
             trainer);
    cr_expect_eq(run_capture(cmd, err, sizeof err), 1, "%s", err);
    snprintf(expected, sizeof expected, "train: %s/r/last.safetensors: cannot write it (No space left on device); "
             "there is no earlier checkpoint\n", dir);
    cr_expect_str_eq(err, expected);
    snprintf(cmd, sizeof cmd, "ls -A %s/r | grep safetensors", dir);
    cr_expect_neq(run_capture(cmd, out, sizeof out), 0, "left behind: %s", out);
    /* after a first epoch saved: the same failure leaves that checkpoint as it was */
    snprintf(cmd, sizeof cmd, "%s --epochs 1 >/dev/null && cp %s/r/last.safetensors %s/epoch1 && "
             "ln -s /dev/full %s/r/last.safetensors.tmp && "
             "%s --epochs 2 --resume %s/r/last.safetensors 2>&1 >/dev/null", trainer, dir, dir, dir, trainer, dir);
    cr_expect_eq(run_capture(cmd, err, sizeof err), 1, "%s", err);
    snprintf(expected, sizeof expected, "train: %s/r/last.safetensors: cannot write it (No space left on device); "
             "the previous checkpoint is unchanged\n", dir);
    cr_expect_str_eq(err, expected);
    snprintf(cmd, sizeof cmd, "cmp %s/r/last.safetensors %s/epoch1 && ls -A %s/r | grep -c '\\.tmp$'", dir, dir, dir);
    run_capture(cmd, out, sizeof out);
    cr_expect_str_eq(out, "0\n", "the previous checkpoint changed, or a temporary file is left");
}

/* Runs cmd through sh with every file it writes limited to `bytes` (a write beyond fails with EFBIG, SIGXFSZ
 * ignored); returns its exit status. */
static int run_file_limited(const char *cmd, rlim_t bytes)
{
    const pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &(struct rlimit){ bytes, bytes });
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A log file that cannot grow (the event file, the largest, meets a file size limit that the checkpoint fits in)
 * is reported in one line, once, and the run goes on to save and report as usual. */
Test(run, a_failed_log_write_is_reported_once_and_the_run_goes_on)
{
    char cmd[1024], err[4096], prefix[256];
    small_idx_data();
    snprintf(cmd, sizeof cmd, TRAINERS "mlp_batch8/train --data %s --epochs 80 --threads 1 --save %s/r "
             ">/dev/null 2>%s/stderr", dir, dir, dir);
    cr_expect_eq(run_file_limited(cmd, 320 * 1024), 0);
    snprintf(cmd, sizeof cmd, "cat %s/stderr", dir);
    run_capture(cmd, err, sizeof err);
    snprintf(prefix, sizeof prefix, "train: %s/r/events.out.tfevents.", dir);
    cr_expect(strncmp(err, prefix, strlen(prefix)) == 0 && strchr(err, '\n') == err + strlen(err) - 1 &&
                  strstr(err, ": cannot write (File too large); the run goes on without its logs\n"),
              "not the one line expected:\n%s", err);
    snprintf(cmd, sizeof cmd, "ls %s/r/last.safetensors %s/r/metrics.csv 2>&1", dir, dir);
    cr_expect_eq(run_capture(cmd, err, sizeof err), 0, "%s", err);
}
