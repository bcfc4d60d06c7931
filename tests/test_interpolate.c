/* The float bilinear resize a distillation teacher of another input size
 * sees its batch through (runtime/interpolate.c) equals PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False, antialias=False) on
 * random planes, enlarging (CIFAR's 32x32 to 224x224), shrinking and
 * changing the aspect (tests/torch/interpolate_reference.py). Skipped where
 * python3-torch is not installed. */
#include "helpers.h"
#include "interpolate.h"
#include "rng.h"

#include <math.h>

static void compare(int c, int h, int w, int oh, int ow)
{
    char dir[64], in_path[96], out_path[96], cmd[512];
    make_dir(dir, sizeof dir, "interp");
    snprintf(in_path, sizeof in_path, "%s/in.bin", dir);
    snprintf(out_path, sizeof out_path, "%s/out.bin", dir);
    const size_t n = (size_t)c * h * w, m = (size_t)c * oh * ow;
    float *x = malloc(sizeof(float) * n), *ours = malloc(sizeof(float) * m), *theirs = malloc(sizeof(float) * m);
    cr_assert(x && ours && theirs);
    nn_rng r;
    nn_rng_seed(&r, (uint64_t)(h * 1000 + ow));
    for (size_t i = 0; i < n; ++i) x[i] = (float)(nn_rng_uniform(&r) * 4.0 - 2.0);
    FILE *f = fopen(in_path, "wb");
    cr_assert(f && fwrite(x, sizeof(float), n, f) == n && fclose(f) == 0);
    snprintf(cmd, sizeof cmd, PYTHON " tests/torch/interpolate_reference.py %s %s %d %d %d %d %d", in_path, out_path,
             c, h, w, oh, ow);
    const int status = system(cmd);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        remove_dir(dir);
        cr_skip_test("python3-torch is not installed (apt-get install python3-torch)");
    }
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", cmd);
    f = fopen(out_path, "rb");
    cr_assert(f && fread(theirs, sizeof(float), m, f) == m);
    fclose(f);
    for (int k = 0; k < c; ++k)
        nn_interpolate_bilinear(x + (size_t)k * h * w, h, w, ours + (size_t)k * oh * ow, oh, ow);
    double worst = 0;
    for (size_t i = 0; i < m; ++i) worst = fmax(worst, fabs((double)ours[i] - theirs[i]));
    cr_expect_leq(worst, 1e-6, "%dx%d to %dx%d: differs from PyTorch by %g", h, w, oh, ow, worst);
    free(x), free(ours), free(theirs);
    remove_dir(dir);
}

Test(interpolate, enlarges_as_pytorch) { compare(3, 32, 32, 224, 224); }
Test(interpolate, shrinks_as_pytorch) { compare(2, 29, 31, 7, 5); }
Test(interpolate, changes_the_aspect_as_pytorch) { compare(1, 5, 12, 9, 4); }
Test(interpolate, copies_a_plane_of_the_same_size) { compare(1, 6, 7, 6, 7); }
