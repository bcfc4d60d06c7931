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

#define TORCH_TEST(name, spec, dumper) \
    Test(torch, name, .timeout = 300) { compare(spec, dumper); }
TORCH_MODELS(TORCH_TEST)
