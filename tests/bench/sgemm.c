/* The machine's practical ceiling: OpenBLAS sgemm GFLOP/s on a large square
 * product: the best of REPEATS after one warm-up, as a shared VM's slow spells
 * would otherwise put the ceiling below what the models reach.
 * Checks sampled entries of the product against double-precision dot
 * products, so that a kernel set that computes wrong results (the reason an
 * environment may pin OPENBLAS_CORETYPE) fails the benchmark instead of timing it.
 * usage: sgemm SIZE THREADS REPEATS; prints "gflops BEST kernels NAME" */
#include "progress.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s SIZE THREADS REPEATS\n", argv[0]);
        return 2;
    }
    const int size = atoi(argv[1]), threads = atoi(argv[2]), repeats = atoi(argv[3]);
    if (size < 1 || threads < 1 || repeats < 1 || repeats > 100) return 2;
    openblas_set_num_threads(threads);
    float *a = malloc(sizeof(float) * size * size), *b = malloc(sizeof(float) * size * size),
          *c = malloc(sizeof(float) * size * size);
    int rc = 1;
    if (!a || !b || !c) goto out;
    for (long i = 0; i < (long)size * size; ++i) {
        a[i] = (float)(i % 7) * 0.1f;
        b[i] = (float)(i % 5) * 0.1f - 0.2f;
    }
    double g[100];
    for (int r = -1; r < repeats; ++r) {
        const double t0 = nn_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0f, a, size, b, size, 0.0f, c, size);
        if (r >= 0) g[r] = 2.0 * size * (double)size * size / (nn_now() - t0) * 1e-9;
    }
    for (long k = 0; k < 256; ++k) {
        const long i = (k * 7919) % size, j = (k * 104729) % size;
        double want = 0, scale = 0;
        for (long l = 0; l < size; ++l) {
            want += (double)a[i * size + l] * b[l * size + j];
            scale += fabs((double)a[i * size + l] * b[l * size + j]);
        }
        if (fabs(c[i * size + j] - want) > 1e-5 * scale + 1e-6) {
            fprintf(stderr, "sgemm: OpenBLAS (%s kernels) computed c[%ld][%ld] = %g, expected %g\n",
                    openblas_get_corename(), i, j, c[i * size + j], want);
            goto out;
        }
    }
    qsort(g, (size_t)repeats, sizeof(double), by_value);
    printf("gflops %.2f kernels %s\n", g[repeats - 1], openblas_get_corename());
    rc = 0;
out:
    free(a);
    free(b);
    free(c);
    return rc;
}
