/* The inference export (generator/main.lua --infer, generator/infer/): each
 * case of tests/infer/check.sh trains a spec briefly, exports it, compiles the
 * library as strict C99 and for a Cortex-M4, and compares its outputs with the
 * trainer's --predict --logits: the same class for every record, outputs within
 * 1e-5 of the record's largest (tests/infer/compare.py). Fashion-MNIST's 10,000 test images for
 * fmnist_cnn (weights embedded, and from a weights file) and for a spec with
 * every supported op; 8 synthetic CIFAR images for resnet18. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>

static void check(const char *name)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "BUILD='" BUILD_DIR "' LUA='" LUA "' PYTHON='" PYTHON "' CC='" CC_NAME "' CFLAGS='" INFER_CFLAGS
             "' ALL_OPS='" BUILD_DIR "/tests/infer/all_ops/train' tests/infer/check.sh %s '" BUILD_DIR
             "/tests/infer/work/%s' 2>&1",
             name, name);
    cr_assert_eq(system(cmd), 0, "tests/infer/check.sh %s failed (its output is above)", name);
}

Test(infer, fmnist_cnn, .timeout = 300) { check("fmnist_cnn"); }
Test(infer, fmnist_weights_file, .timeout = 300) { check("fmnist_weights_file"); }
Test(infer, resnet18, .timeout = 300) { check("resnet18"); }
Test(infer, all_ops, .timeout = 300) { check("all_ops"); }
Test(infer, refusals, .timeout = 60) { check("refusals"); }
