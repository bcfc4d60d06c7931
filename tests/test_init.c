/* The RNG and the initializers: same seed, same numbers; every initializer
 * has the distribution it names (mean, variance, bounds over many draws).
 * --init with --init-skip (nn_checkpoint_init): a matching file loads whole,
 * a head of another shape is refused in one line or, skipped, left as it was. */
#include "checkpoint.h"
#include "helpers.h"
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

/* Two models with the same body and heads of 2 and 5 classes (fc), and one with another body tensor. */
static const nn_tensor TWO[] = {
    { "body.weight", 2, { 4, 3 }, 0, 12, NN_TRAINABLE | NN_DECAY, NN_INIT_UNIFORM_FAN_IN, 3, 4 },
    { "bn.running_mean", 1, { 4 }, 12, 4, NN_BUFFER, NN_INIT_ZEROS, 1, 1 },
    { "fc.weight", 2, { 2, 4 }, 16, 8, NN_TRAINABLE | NN_DECAY, NN_INIT_UNIFORM_FAN_IN, 4, 2 },
    { "fc.bias", 1, { 2 }, 24, 2, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
};
static const nn_tensor FIVE[] = {
    { "body.weight", 2, { 4, 3 }, 0, 12, NN_TRAINABLE | NN_DECAY, NN_INIT_UNIFORM_FAN_IN, 3, 4 },
    { "bn.running_mean", 1, { 4 }, 12, 4, NN_BUFFER, NN_INIT_ZEROS, 1, 1 },
    { "fc.weight", 2, { 5, 4 }, 16, 20, NN_TRAINABLE | NN_DECAY, NN_INIT_UNIFORM_FAN_IN, 4, 5 },
    { "fc.bias", 1, { 5 }, 36, 5, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
};
static const nn_tensor EXTRA[] = {
    { "body.weight", 2, { 4, 3 }, 0, 12, NN_TRAINABLE | NN_DECAY, NN_INIT_UNIFORM_FAN_IN, 3, 4 },
    { "bn.running_mean", 1, { 4 }, 12, 4, NN_BUFFER, NN_INIT_ZEROS, 1, 1 },
    { "adapter.weight", 1, { 3 }, 16, 3, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
};
static const nn_model MODEL_TWO = { .name = "two", .n_params = 26, .tensors = TWO, .n_tensors = 4 };
static const nn_model MODEL_FIVE = { .name = "five", .n_params = 41, .tensors = FIVE, .n_tensors = 4 };
static const nn_model MODEL_EXTRA = { .name = "extra", .n_params = 19, .tensors = EXTRA, .n_tensors = 3 };

static char init_dir[64], init_file[96];

/* A weights-only file of MODEL_TWO holding 1, 2, 3, ... */
static void save_two(void)
{
    make_dir(init_dir, sizeof init_dir, "init");
    snprintf(init_file, sizeof init_file, "%s/two.safetensors", init_dir);
    float p[26];
    for (int i = 0; i < 26; ++i) p[i] = (float)(i + 1);
    char err[512];
    cr_assert_eq(nn_checkpoint_save(init_file, &MODEL_TWO, p, NULL, NULL, err, sizeof err), 0, "%s", err);
}

static void remove_two(void) { remove_dir(init_dir); }

TestSuite(init_skip, .init = save_two, .fini = remove_two);

static int load(const nn_model *m, float *p, const char *const *skip, int n_skip, char *err, size_t len)
{
    for (size_t i = 0; i < m->n_params; ++i) p[i] = -1.0f;
    return nn_checkpoint_init(init_file, m, p, skip, n_skip, err, len);
}

Test(init_skip, a_matching_file_loads_every_tensor)
{
    float p[26];
    char err[512];
    cr_assert_eq(load(&MODEL_TWO, p, NULL, 0, err, sizeof err), 4, "%s", err);
    for (int i = 0; i < 26; ++i) cr_expect_eq(p[i], (float)(i + 1), "element %d", i);
}

Test(init_skip, a_head_of_another_shape_is_refused_in_one_line)
{
    float p[41];
    char err[512], want[512];
    cr_assert_eq(load(&MODEL_FIVE, p, NULL, 0, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: tensor fc.weight has shape [2, 4] in the file but [5, 4] in model five "
             "(--init-skip 'fc.*' leaves it freshly initialized)", init_file);
    cr_expect_str_eq(err, want);
    for (int i = 0; i < 41; ++i) cr_expect_eq(p[i], -1.0f, "nothing loaded: element %d", i);
}

Test(init_skip, a_skipped_head_keeps_its_values)
{
    float p[41];
    char err[512];
    const char *skip[] = { "fc.*" };
    cr_assert_eq(load(&MODEL_FIVE, p, skip, 1, err, sizeof err), 2, "%s", err);
    for (int i = 0; i < 16; ++i) cr_expect_eq(p[i], (float)(i + 1), "body and buffer loaded: element %d", i);
    for (int i = 16; i < 41; ++i) cr_expect_eq(p[i], -1.0f, "head left as it was: element %d", i);
}

Test(init_skip, a_missing_tensor_is_refused_unless_skipped)
{
    float p[19];
    char err[512], want[512];
    const char *fc[] = { "fc.*" }, *both[] = { "fc.*", "adapter.*" };
    cr_assert_eq(load(&MODEL_EXTRA, p, fc, 1, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: has no tensor adapter.weight (--init-skip 'adapter.*' leaves it freshly "
             "initialized)", init_file);
    cr_expect_str_eq(err, want);
    cr_assert_eq(load(&MODEL_EXTRA, p, NULL, 0, err, sizeof err), -1);
    cr_expect(strstr(err, "has no tensor adapter.weight"), "%s", err);
    cr_assert_eq(load(&MODEL_EXTRA, p, both, 2, err, sizeof err), 2, "%s", err);
    cr_expect(p[0] == 1.0f && p[15] == 16.0f && p[16] == -1.0f, "body loaded, adapter left");
}

Test(init_skip, a_foreign_tensor_or_a_pattern_matching_nothing_is_refused)
{
    float p[19];
    char err[512], want[512];
    const char *adapter[] = { "adapter.*" }, *typo[] = { "adapter.*", "fc.*", "head.*" };
    cr_assert_eq(load(&MODEL_EXTRA, p, adapter, 1, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: tensor fc.bias is not in model extra (--init-skip leaves out tensors it "
             "matches)", init_file);
    cr_expect_str_eq(err, want);
    cr_assert_eq(load(&MODEL_EXTRA, p, typo, 3, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: --init-skip 'head.*' matches no tensor of model extra or of the file", init_file);
    cr_expect_str_eq(err, want);
}
