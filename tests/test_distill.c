/* The distillation loss: values and gradient recorded from PyTorch by
 * `/usr/bin/python3 tests/torch/kd_reference.py`, the gradient against
 * central differences, and its limits (alpha 0: plain cross-entropy). */
#include "distill.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static const double ZS[12] = { 1.0, -0.5, 2.0, 0.25, 0.3, 0.1, -1.2, 0.8, -2.0, 1.5, 0.0, 0.5 };
static const double ZT[12] = { 2.0, 0.5, 1.0, -1.0, -0.4, 0.9, 0.2, 1.1, 0.0, 3.0, -1.0, 0.7 };
static const double Y[12] = { 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0 }; /* labels 2, 3, 1 */

Test(distill, matches_pytorch)
{
    static const double want_grad[12] = { -0.052336730041, -0.040430277626, 0.033575772541, 0.059191235126,
                                          0.085766396415,  -0.001417266889, -0.037890024080, -0.046459105445,
                                          -0.038253257704, -0.106572777206, 0.086891711164,  0.057934323746 };
    double dz[12];
    const double loss = nn_kd_loss(ZS, ZT, Y, 3, 4, 0.7, 3.0, dz);
    cr_expect_float_eq(loss, 8.774751110726, 1e-11);
    for (int i = 0; i < 12; ++i) cr_expect_float_eq(dz[i], want_grad[i], 1e-11, "dz[%d] = %.12f", i, dz[i]);
}

Test(distill, gradient_matches_central_differences)
{
    const double alphas[] = { 0.0, 0.5, 1.0 }, temps[] = { 1.0, 4.0, 0.5 };
    for (int a = 0; a < 3; ++a) {
        double z[12], dz[12];
        memcpy(z, ZS, sizeof z);
        nn_kd_loss(z, ZT, Y, 3, 4, alphas[a], temps[a], dz);
        for (int i = 0; i < 12; ++i) {
            const double h = 1e-6, saved = z[i];
            z[i] = saved + h;
            const double up = nn_kd_loss(z, ZT, Y, 3, 4, alphas[a], temps[a], NULL);
            z[i] = saved - h;
            const double down = nn_kd_loss(z, ZT, Y, 3, 4, alphas[a], temps[a], NULL);
            z[i] = saved;
            const double numeric = (up - down) / (2 * h);
            cr_expect(fabs(numeric - dz[i]) <= 1e-8 * fmax(1.0, fabs(numeric)),
                      "alpha %g T %g: dz[%d] %.12g, central difference %.12g", alphas[a], temps[a], i, dz[i], numeric);
        }
    }
}

Test(distill, alpha_zero_is_cross_entropy)
{
    double dz[12];
    const double loss = nn_kd_loss(ZS, ZT, Y, 3, 4, 0.0, 4.0, dz);
    double want = 0.0;
    for (int i = 0; i < 3; ++i) {
        double sum = 0.0;
        for (int j = 0; j < 4; ++j) sum += exp(ZS[i * 4 + j]);
        for (int j = 0; j < 4; ++j) {
            want -= Y[i * 4 + j] * (ZS[i * 4 + j] - log(sum)) / 3.0;
            cr_expect_float_eq(dz[i * 4 + j], (exp(ZS[i * 4 + j]) / sum - Y[i * 4 + j]) / 3.0, 1e-14);
        }
    }
    cr_expect_float_eq(loss, want, 1e-14);
}
