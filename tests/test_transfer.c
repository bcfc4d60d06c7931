/* The transfer-learning assignment end to end, on a dozen CIFAR-10-format
 * images (tests/make_cifar10.py), with torchvision's resnet50 of random
 * weights standing in for a pretrained one (tests/torch/transfer_reference.py):
 * its state_dict converted (convert_torch.py from-torch); refused by
 * --init into a 10-class copy of specs/resnet50_imagenet.lua, in one line,
 * then loaded with --init-skip 'fc.*'; a linear probe (everything but fc
 * frozen) on the 32x32 images --resize'd to 224x224, after which the frozen
 * weights are bit-identical, fc has moved, and --predict gives torchvision's
 * probabilities on PIL-resized images; the probe as a 224x224 teacher of the
 * 32x32 resnet18; and fine-tuning of every tensor. Skipped where python3-torch
 * or torchvision is not installed. */
#include "helpers.h"

#define TRANSFER BUILD_DIR "/tests/transfer"
#define PROBE TRANSFER "/resnet50_cifar10/train"
#define DISTILL TRANSFER "/resnet18+resnet50_cifar10/train"
#define IMAGENET "--mean 0.485,0.456,0.406 --std 0.229,0.224,0.225"

static char dir[64];

static void setup(void) { make_dir(dir, sizeof dir, "transfer"); }
static void teardown(void) { remove_dir(dir); }

TestSuite(transfer, .init = setup, .fini = teardown, .timeout = 900);

/* Runs the command (printf-style, every %s the test directory); returns its
 * status, and the end of its output in out (a trainer's summary is long). */
static int run(char *out, size_t len, const char *fmt)
{
    char cmd[2048], wrapped[2400];
    snprintf(cmd, sizeof cmd, fmt, dir, dir, dir, dir, dir, dir);
    snprintf(wrapped, sizeof wrapped, "(%s) > %s/out.log; rc=$?; tail -c %zu %s/out.log; exit $rc", cmd, dir, len / 2,
             dir);
    return run_capture(wrapped, out, len);
}

/* A checker of transfer_reference.py: passes, or skips the test when torch is missing. */
static void expect_python(const char *fmt)
{
    char out[8192];
    const int rc = run(out, sizeof out, fmt);
    if (rc == 77) cr_skip_test("python3-torch, torchvision or PIL is not installed");
    cr_assert_eq(rc, 0, "%s:\n%s", fmt, out);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; ++s) n += *s == '\n';
    return n;
}

/* The standin converted, and the data; the test is skipped without torch. */
static void prepare(void)
{
    expect_python(PYTHON " tests/make_cifar10.py %s/data --train 12 --test 6 2>&1");
    expect_python(PYTHON " tests/torch/transfer_reference.py standin %s/tv.pt %s/data 2>&1");
    expect_python(PYTHON " runtime/convert_torch.py from-torch %s/tv.pt %s/tv.safetensors --spec resnet50_imagenet "
                  IMAGENET " 2>&1");
}

Test(transfer, a_head_of_another_size_or_images_of_another_size_are_refused_in_one_line)
{
    prepare();
    char out[8192];
    cr_assert_neq(run(out, sizeof out, PROBE " --data %s/data --resize 224 --init %s/tv.safetensors 2>&1 >/dev/null"),
                  0);
    cr_expect_eq(count_lines(out), 1, "%s", out);
    cr_expect(strstr(out, "tv.safetensors: tensor fc.weight has shape [1000, 2048] in the file but [10, 2048] in "
                          "model resnet50_cifar10 (--init-skip 'fc.*' leaves it freshly initialized)"), "%s", out);
    cr_assert_neq(
        run(out, sizeof out, PROBE " --data %s/data --init %s/tv.safetensors --init-skip 'fc.*' 2>&1 >/dev/null"), 0);
    cr_expect_eq(count_lines(out), 1, "%s", out);
    cr_expect(strstr(out, "inputs are [12, 3, 32, 32] (3072 values per record), but model resnet50_cifar10 takes "
                          "3x224x224"), "without --resize: %s", out);
    cr_assert_neq(run(out, sizeof out, PROBE " --data %s/data --resize 32 2>&1 >/dev/null"), 0);
    cr_expect_str_eq(out, "train: --resize 32x32: model resnet50_cifar10 takes 3x224x224\n");
}

#define PROBE_RUN PROBE " --data %s/data --resize 224 --init %s/tv.safetensors --init-skip 'fc.*' --freeze '*' " \
    "--lr-mult 'fc.*=1' " IMAGENET " --epochs 1 --val-split 0 --optimizer sgd --momentum 0.9 --threads 2 "

Test(transfer, linear_probe_distillation_and_fine_tuning)
{
    prepare();
    char out[16384];
    cr_assert_eq(run(out, sizeof out, PROBE_RUN "--lr 0.05 --save %s/probe 2>&1"), 0, "%s", out);
    cr_expect(strstr(out, "weights from") && strstr(out, "265 of 267 tensors, the other 2 freshly initialized"),
              "%s", out);
    expect_python(PYTHON " tests/torch/transfer_reference.py frozen %s/tv.safetensors %s/probe/last.safetensors 2>&1");
    /* the same run without updates keeps fc as initialized: the probe's differs */
    cr_assert_eq(run(out, sizeof out, PROBE_RUN "--lr 0 --save %s/fresh 2>&1"), 0, "%s", out);
    expect_python(PYTHON " tests/torch/transfer_reference.py changed %s/fresh/last.safetensors "
                  "%s/probe/last.safetensors fc. 2>&1");

    cr_assert_eq(run(out, sizeof out, PROBE " --data %s/data --resize 224 --predict %s/probe/last.safetensors "
                     "--out %s/pred.csv 2>&1"), 0, "%s", out);
    expect_python(PYTHON " tests/torch/transfer_reference.py predict %s/probe/last.safetensors %s/data "
                  "%s/pred.csv 2>&1");

    /* the 224x224 probe teaches the 32x32 resnet18: alpha 1 (teacher only) and 0 (labels only) differ */
    char soft[16384];
    cr_assert_eq(run(soft, sizeof soft, DISTILL " --data %s/data --teacher resnet50_cifar10:%s/probe/last.safetensors "
                     "--kd-alpha 1 --epochs 1 --val-split 0 --print-every 1 --threads 2 2>&1"), 0, "%s", soft);
    cr_expect(strstr(soft, "the teacher sees the batch resized from 32x32 to 224x224"), "%s", soft);
    cr_assert_eq(run(out, sizeof out, DISTILL " --data %s/data --teacher resnet50_cifar10:%s/probe/last.safetensors "
                     "--kd-alpha 0 --epochs 1 --val-split 0 --print-every 1 --threads 2 2>&1"), 0, "%s", out);
    cr_expect_neq(find(soft, "batch loss "), find(out, "batch loss "),
                  "the first batch: the distillation loss is cross-entropy:\n%s\n%s", soft, out);

    cr_assert_eq(run(out, sizeof out, PROBE " --data %s/data --resize 224 --init %s/probe/last.safetensors "
                     "--epochs 1 --val-split 0 --optimizer sgd --lr 0.01 --threads 2 --save %s/tuned 2>&1"),
                 0, "%s", out);
    expect_python(PYTHON " tests/torch/transfer_reference.py changed %s/probe/last.safetensors "
                  "%s/tuned/last.safetensors 2>&1");
}
