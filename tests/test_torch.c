/* Whole networks against PyTorch (tests/torch/reference.py): parameter and
 * MAC counts of the summary, then output, loss, every parameter gradient and
 * the input gradient of the generated float code. Skipped, and reported as
 * skipped, where python3-torch is not installed. */
#include "torch_models.h" /* written by tests/tests.mk: TORCH_MODELS */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

static int torch_missing(void)
{
    return system(PYTHON " -c 'import torch' >/dev/null 2>&1") != 0;
}

static void compare(const char *spec, const char *dumper)
{
    if (torch_missing()) cr_skip_test("python3-torch is not installed (apt-get install python3-torch)");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, PYTHON " tests/torch/reference.py %s --lua " LUA "%s%s", spec, *dumper ? " --dumper " : "",
             dumper);
    const int status = system(cmd);
    cr_assert(WIFEXITED(status), "%s: reference.py did not exit normally", spec);
    cr_assert_eq(WEXITSTATUS(status), 0, "%s: differs from PyTorch (see the lines above)", spec);
}

/* One timeout for every test: when a test's timeout ends before one already
 * pending, Criterion's sandbox (BoxFort) loses track of the pending one, and
 * LeakSanitizer reports it in make test SANITIZE=1. */
TestSuite(torch, .timeout = 600);

#define TORCH_TEST(name, spec, dumper) \
    Test(torch, name) { compare(spec, dumper); }
TORCH_MODELS(TORCH_TEST)

/* The torchvision-compatible specs hold torchvision's state_dict, every
 * name with its shape (tests/torch/torchvision_names.py). */
static void same_names(const char *spec, const char *model)
{
    if (torch_missing()) cr_skip_test("python3-torch is not installed (apt-get install python3-torch)");
    char cmd[512];
    snprintf(cmd, sizeof cmd, PYTHON " tests/torch/torchvision_names.py %s %s --lua " LUA, spec, model);
    const int status = system(cmd);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: not torchvision's %s (see above)", spec, model);
}

Test(torch, resnet18_imagenet_is_torchvisions) { same_names("specs/resnet18_imagenet.lua", "resnet18"); }
Test(torch, resnet50_imagenet_is_torchvisions) { same_names("specs/resnet50_imagenet.lua", "resnet50"); }

/* A resnet18 checkpoint written by the trainer loads into PyTorch's ResNet18
 * through runtime/convert_torch.py and gives the trainer's logits
 * (tests/torch/checkpoint_roundtrip.py), and converts back unchanged. */
Test(torch, resnet18_checkpoint_round_trip)
{
    if (torch_missing()) cr_skip_test("python3-torch is not installed (apt-get install python3-torch)");
    char dir[] = "/tmp/nncc-roundtrip-XXXXXX", cmd[2048];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             PYTHON " tests/make_cifar10.py %s/data --train 96 --test 64 >/dev/null && "
             BUILD_DIR "/resnet18/train --data %s/data --epochs 2 --val-split 0 --optimizer sgd --lr 0.05 --momentum 0.9 "
             "--save %s/run > %s/train.log 2>&1 && "
             BUILD_DIR "/resnet18/train --data %s/data --predict %s/run/last.safetensors --out %s/pred.csv >/dev/null && "
             PYTHON " tests/torch/checkpoint_roundtrip.py %s/run/last.safetensors %s/data %s/pred.csv %s",
             dir, dir, dir, dir, dir, dir, dir, dir, dir, dir, dir);
    const int status = system(cmd);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the round trip failed (see above; %s/train.log)", dir);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        cr_assert_eq(system(cmd), 0);
    }
}
