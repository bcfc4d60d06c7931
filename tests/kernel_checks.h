/* What the tests of the shared kernels (test_kernels.c, test_winograd.c) have in common: the
 * scalar type they are compiled for (tests/tests.mk builds each with -DREAL_FLOAT=1 and with
 * -DREAL_FLOAT=0, into suites NAME_float and NAME_double), inputs, and comparisons. */
#ifndef NNCC_KERNEL_CHECKS_H
#define NNCC_KERNEL_CHECKS_H

#if REAL_FLOAT
typedef float real;
#define REAL_EPSILON FLT_EPSILON
#define REAL_SUITE(name) name##_float
#else
typedef double real;
#define REAL_EPSILON DBL_EPSILON
#define REAL_SUITE(name) name##_double
#endif

#include "nn_vec.h"

#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Pseudo-random values in [-1, 1), zeros and both signs among them, from a seed. */
static inline void fill(real *x, size_t n, unsigned seed)
{
    uint32_t s = 2654435761u * (seed + 1);
    for (size_t i = 0; i < n; ++i) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        x[i] = (i + seed) % 7 == 3 ? 0 : (real)((int32_t)(s >> 8) - (1 << 23)) / (1 << 23);
    }
}

/* Values from a few levels, -1 to 1.5 by halves, so that maxima tie. */
static inline void fill_levels(real *x, size_t n, unsigned seed)
{
    fill(x, n, seed);
    for (size_t i = 0; i < n; ++i) x[i] = (real)floor((x[i] + 1) * 3) / 2 - 1;
}

static inline real *alloc(size_t n)
{
    real *p = malloc(sizeof(real) * (n ? n : 1));
    cr_assert_not_null(p);
    return p;
}

/* Kernels that only move values or apply masks: exactly the reference's bits. */
static inline void expect_equal(const real *got, const real *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; ++i)
        cr_assert(memcmp(&got[i], &want[i], sizeof(real)) == 0, "%s [%zu]: %.9g, not %.9g", what, i, (double)got[i],
                  (double)want[i]);
}

/* Kernels that sum in another order than the reference: within a few roundings of the sum of
 * the terms' magnitudes, `scale`. */
static inline void expect_near(real got, real want, real scale, const char *what)
{
    cr_assert(fabs((double)got - (double)want) <= 64 * REAL_EPSILON * (double)scale, "%s: %.9g, not %.9g (scale %g)",
              what, (double)got, (double)want, (double)scale);
}

#endif
