/* The RNG and the initializers: same seed, same numbers; every initializer
 * has the distribution it names (mean, variance, bounds over many draws). */
#include "init.h"
#include "rng.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

Test(rng, same_seed_same_sequence_other_seed_other_sequence)
{
    nn_rng a, b, c;
    nn_rng_seed(&a, 42);
    nn_rng_seed(&b, 42);
    nn_rng_seed(&c, 43);
    int differ = 0;
    for (int i = 0; i < 1000; ++i) {
        const uint64_t x = nn_rng_next(&a);
        cr_assert_eq(x, nn_rng_next(&b));
        differ += x != nn_rng_next(&c);
    }
    cr_expect_gt(differ, 990);
}

Test(rng, below_is_uniform_and_shuffle_is_a_permutation)
{
    nn_rng r;
    nn_rng_seed(&r, 1);
    long counts[7] = { 0 };
    const long draws = 700000;
    for (long i = 0; i < draws; ++i) counts[nn_rng_below(&r, 7)]++;
    for (int k = 0; k < 7; ++k) cr_expect(labs(counts[k] - draws / 7) < 1500, "bucket %d: %ld", k, counts[k]);
    uint32_t a[100];
    int seen[100] = { 0 };
    for (uint32_t i = 0; i < 100; ++i) a[i] = i;
    nn_rng_shuffle(&r, a, 100);
    int moved = 0;
    for (uint32_t i = 0; i < 100; ++i) {
        seen[a[i]]++;
        moved += a[i] != i;
    }
    for (int i = 0; i < 100; ++i) cr_expect_eq(seen[i], 1);
    cr_expect_gt(moved, 90);
}

/* Mean, variance and largest magnitude of one initialized tensor. */
static void moments(int init, int fan_in, int fan_out, double *mean, double *var, double *max_abs)
{
    enum { N = 200000 };
    const nn_tensor t = { "w", 1, { N }, 0, N, NN_TRAINABLE, init, fan_in, fan_out };
    float *p = malloc(sizeof(float) * N);
    cr_assert_not_null(p);
    nn_rng r;
    nn_rng_seed(&r, 9);
    nn_init_params(&t, 1, p, &r);
    double s = 0, sq = 0, m = 0;
    for (int i = 0; i < N; ++i) {
        s += p[i];
        sq += (double)p[i] * p[i];
        m = fmax(m, fabs(p[i]));
    }
    *mean = s / N;
    *var = sq / N - *mean * *mean;
    *max_abs = m;
    free(p);
}

Test(init, each_initializer_has_its_distribution)
{
    const int fan_in = 288, fan_out = 576;
    const double fan_avg = 0.5 * (fan_in + fan_out);
    struct {
        int init;
        double var, bound; /* bound 0: unbounded (normal) */
    } cases[] = {
        { NN_INIT_UNIFORM_FAN_IN, 1.0 / (3.0 * fan_in), 1.0 / sqrt(fan_in) },
        { NN_INIT_XAVIER_UNIFORM, 1.0 / fan_avg, sqrt(3.0 / fan_avg) },
        { NN_INIT_XAVIER_NORMAL, 1.0 / fan_avg, 0 },
        { NN_INIT_KAIMING_NORMAL, 2.0 / fan_in, 0 },
        { NN_INIT_ZEROS, 0.0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        double mean, var, max_abs;
        moments(cases[i].init, fan_in, fan_out, &mean, &var, &max_abs);
        cr_expect(fabs(mean) < 0.01 * sqrt(cases[i].var) + 1e-12, "init %d: mean %g", cases[i].init, mean);
        cr_expect(fabs(var - cases[i].var) <= 0.01 * cases[i].var, "init %d: variance %g, expected %g", cases[i].init, var,
                  cases[i].var);
        if (cases[i].bound > 0) {
            cr_expect_leq(max_abs, cases[i].bound, "init %d: %g beyond the bound %g", cases[i].init, max_abs, cases[i].bound);
            cr_expect_geq(max_abs, 0.99 * cases[i].bound, "init %d: never near the bound", cases[i].init);
        }
    }
}
