/* torchvision's resnet18 and resnet50 (random weights and BatchNorm
 * statistics) exported by torch.onnx.export, imported by generator/onnx,
 * generated and run in float (tests/tests.mk builds them): the imported
 * weights are torchvision's, the evaluation logits torchvision's within 1e-4,
 * and one training step's output, loss, gradients and running statistics
 * torchvision's under tests/torch/reference.py's rule
 * (tests/onnx/roundtrip_tv.py). Skipped where torch or torchvision is missing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

static void round_trip(const char *model)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             PYTHON " tests/onnx/roundtrip_tv.py check %s " RT "/%s " RT "/%s/rt_%s.lua " RT "/%s/dump " RT
                    "/%s/weights.safetensors " LUA,
             model, model, model, model, model, model);
    const int status = system(cmd);
    cr_assert(WIFEXITED(status), "%s: roundtrip_tv.py did not exit normally", model);
    if (WEXITSTATUS(status) == 77) cr_skip_test("%s: torch or torchvision is not installed", model);
    cr_assert_eq(WEXITSTATUS(status), 0, "%s: differs from torchvision (see the lines above)", model);
}

TestSuite(onnx_roundtrip, .timeout = 900);

#define X(model) \
    Test(onnx_roundtrip, model) { round_trip(#model); }
ROUNDTRIP_MODELS
