/* ONNX export (generator/onnx/export.py): per model, the exported graph is
 * checked (onnx.checker, strict shape inference), run node by node in torch
 * against the C model's evaluation forward and reference.py's torch network,
 * and imported back (tests/onnx/export_check.py); torchvision's resnet18 and
 * resnet50 exported by torch and by us give the same node lists
 * (tests/onnx/export_tv_nodes.py); a trained checkpoint gives the trainer's
 * predictions (tests/onnx/export_trained.py); bad checkpoints and specs get
 * one line (tests/onnx/export_errors.py). Skipped, and reported as skipped,
 * where torch, torchvision or onnx is not installed. */
#include "onnx_export_models.h" /* written by tests/tests.mk: ONNX_EXPORT_MODELS */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

static void run(const char *what, const char *cmd)
{
    if (system(PYTHON " -c 'import onnx' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-onnx is not installed (apt-get install python3-onnx)");
    const int status = system(cmd);
    cr_assert(WIFEXITED(status), "%s: the check did not exit normally", what);
    if (WEXITSTATUS(status) == 77) cr_skip_test("%s: torch or torchvision is not installed", what);
    cr_assert_eq(WEXITSTATUS(status), 0, "%s: failed (see the lines above)", what);
}

TestSuite(onnx_export, .timeout = 600);

#define EXPORT_TEST(name, spec, dumper)                                                                     \
    Test(onnx_export, name)                                                                                 \
    {                                                                                                       \
        run(spec, PYTHON " tests/onnx/export_check.py " spec " --dumper " dumper " --lua " LUA);            \
    }
ONNX_EXPORT_MODELS(EXPORT_TEST)

Test(onnx_export, torchvision_resnet18_nodes)
{
    run("resnet18", PYTHON " tests/onnx/export_tv_nodes.py resnet18 --lua " LUA);
}

Test(onnx_export, torchvision_resnet50_nodes)
{
    run("resnet50", PYTHON " tests/onnx/export_tv_nodes.py resnet50 --lua " LUA);
}

/* A checkpoint the trainer wrote, exported: the graph gives the trainer's
 * --predict probabilities (tests/onnx/export_trained.py). */
Test(onnx_export, trained_checkpoint)
{
    char dir[] = "/tmp/nncc-onnx-export-XXXXXX", cmd[1024];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             PYTHON " tests/onnx/export_trained.py " BUILD_DIR "/tests/trainers/cifar_small/train %s --lua " LUA, dir);
    run("trained checkpoint", cmd);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(onnx_export, bad_input)
{
    run("bad input", PYTHON " tests/onnx/export_errors.py --lua " LUA);
}
