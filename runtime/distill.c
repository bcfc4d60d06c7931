#include "distill.h"

#include <math.h>
#include <stddef.h>

/* p = softmax(z / temp); returns log(sum(exp(z / temp))). */
static double softmax(const double *z, int k, double temp, double *p)
{
    double m = z[0] / temp, sum = 0.0;
    for (int j = 1; j < k; ++j) m = fmax(m, z[j] / temp);
    for (int j = 0; j < k; ++j) sum += p[j] = exp(z[j] / temp - m);
    for (int j = 0; j < k; ++j) p[j] /= sum;
    return m + log(sum);
}

double nn_kd_loss(const double *zs, const double *zt, const double *target, int n, int k, double alpha, double temp,
                  double *dz)
{
    double total = 0.0;
    double p[k], qs[k], qt[k];
    for (int i = 0; i < n; ++i) {
        const double *s = zs + (size_t)i * k, *t = zt + (size_t)i * k, *y = target + (size_t)i * k;
        const double lse = softmax(s, k, 1.0, p);
        const double lse_t = softmax(s, k, temp, qs);
        softmax(t, k, temp, qt);
        double hard = 0.0, soft = 0.0, ysum = 0.0;
        for (int j = 0; j < k; ++j) {
            hard += y[j] * (lse - s[j]);
            soft += qt[j] * (lse_t - s[j] / temp);
            ysum += y[j];
        }
        total += (1.0 - alpha) * hard + alpha * temp * temp * soft;
        if (!dz) continue;
        /* d hard/ds = p * sum(y) - y; d (T^2 soft)/ds = T * (qs - qt), as qt sums to 1 */
        for (int j = 0; j < k; ++j)
            dz[(size_t)i * k + j] = ((1.0 - alpha) * (p[j] * ysum - y[j]) + alpha * temp * (qs[j] - qt[j])) / n;
    }
    return total / n;
}
