#define _GNU_SOURCE /* memmem */
/* Checkpoints (safetensors) on models made of a tensor table: round trip of
 * weights, buffers and optimizer state, for thousands of tensors too; every
 * bad file (wrong shape, unknown or missing tensor, wrong dtype, truncated,
 * lying offsets, no optimizer state) is refused with a clear reason and loads
 * nothing. tests/test_bad_checkpoints.c crafts many more. */
#include "checkpoint.h"
#include "helpers.h"

static const nn_tensor table[] = {
    { "conv.weight", 4, { 2, 1, 2, 2 }, 0, 8, NN_TRAINABLE | NN_DECAY, NN_INIT_ZEROS, 4, 8 },
    { "bn.running_mean", 1, { 2 }, 16, 2, NN_BUFFER, NN_INIT_ZEROS, 1, 1 },
    { "fc.bias", 1, { 3 }, 32, 3, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
};
static const nn_tensor other_shape[] = {
    { "conv.weight", 4, { 2, 1, 3, 3 }, 0, 18, NN_TRAINABLE, NN_INIT_ZEROS, 9, 18 },
};
static const nn_tensor other_name[] = {
    { "conv.weight", 4, { 2, 1, 2, 2 }, 0, 8, NN_TRAINABLE, NN_INIT_ZEROS, 4, 8 },
    { "bn.running_mean", 1, { 2 }, 16, 2, NN_BUFFER, NN_INIT_ZEROS, 1, 1 },
    { "fc.weight", 1, { 3 }, 32, 3, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
};

static const nn_model model = { .name = "toy", .n_params = 48, .tensors = table, .n_tensors = 3 };

static char dir[64], path[128];
static void setup(void)
{
    make_dir(dir, sizeof dir, "ckpt");
    snprintf(path, sizeof path, "%s/last.safetensors", dir);
}
static void teardown(void) { remove_dir(dir); }
TestSuite(checkpoint, .init = setup, .fini = teardown);

static void fill(float *p, size_t n, float base)
{
    for (size_t i = 0; i < n; ++i) p[i] = base + (float)i * 0.25f;
}

static void save_toy(void)
{
    float params[48];
    fill(params, 48, 1.0f);
    nn_optim_config c = nn_optim_defaults(NN_ADAM);
    nn_optimizer o;
    cr_assert_eq(nn_optim_init(&o, &c, 48), 0);
    fill(o.m, 48, 100.0f);
    fill(o.v, 48, 200.0f);
    nn_ckpt_meta meta = { 0 };
    nn_ckpt_meta_set(&meta, "optimizer_step", "7");
    nn_ckpt_meta_set(&meta, "epoch", "2");
    char err[512];
    cr_assert_eq(nn_checkpoint_save(path, &model, params, &o, &meta, err, sizeof err), 0, "%s", err);
    nn_optim_free(&o);
}

Test(checkpoint, round_trip_of_weights_buffers_and_optimizer_state)
{
    save_toy();
    float params[48] = { 0 };
    nn_optim_config c = nn_optim_defaults(NN_ADAM);
    nn_optimizer o;
    cr_assert_eq(nn_optim_init(&o, &c, 48), 0);
    nn_ckpt_meta meta;
    char err[512];
    cr_assert_eq(nn_checkpoint_load(path, &model, params, &o, &meta, err, sizeof err), 0, "%s", err);
    float want[48];
    fill(want, 48, 1.0f);
    for (int t = 0; t < 3; ++t)
        for (size_t i = 0; i < table[t].size; ++i) cr_expect_eq(params[table[t].offset + i], want[table[t].offset + i]);
    cr_expect_eq(o.m[32 + 2], 100.0f + 34 * 0.25f, "Adam m of fc.bias");
    cr_expect_eq(o.v[0 + 7], 200.0f + 7 * 0.25f, "Adam v of conv.weight");
    cr_expect_eq(o.v[16], 0.0f, "buffers have no optimizer state");
    cr_expect_eq(o.step, 7);
    cr_expect_str_eq(nn_ckpt_meta_get(&meta, "epoch"), "2");
    nn_optim_free(&o);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cr_expect(access(tmp, F_OK) != 0, "the temporary file was left behind");
}

/* A model of 3,000 tensors, 9,000 in the file with Adam's state: neither side has a fixed limit. */
Test(checkpoint, round_trip_of_a_model_with_thousands_of_tensors)
{
    enum { N = 3000, SIZE = 2 * N };
    static nn_tensor big[N];
    static char names[N][24];
    for (int t = 0; t < N; ++t) {
        snprintf(names[t], sizeof names[t], "t%d.weight", t);
        big[t] = (nn_tensor){ names[t], 1, { 2 }, 2 * (size_t)t, 2, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 };
    }
    const nn_model m = { .name = "big", .n_params = SIZE, .tensors = big, .n_tensors = N };
    static float params[SIZE], back[SIZE];
    fill(params, SIZE, 1.0f);
    nn_optim_config c = nn_optim_defaults(NN_ADAM);
    nn_optimizer o, loaded;
    cr_assert(nn_optim_init(&o, &c, SIZE) == 0 && nn_optim_init(&loaded, &c, SIZE) == 0);
    fill(o.m, SIZE, -3.0f);
    fill(o.v, SIZE, 5.0f);
    char err[512];
    cr_assert_eq(nn_checkpoint_save(path, &m, params, &o, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_eq(nn_checkpoint_load(path, &m, back, &loaded, NULL, err, sizeof err), 0, "%s", err);
    cr_expect_arr_eq(back, params, sizeof params);
    cr_expect_arr_eq(loaded.m, o.m, sizeof(float) * SIZE);
    cr_expect_arr_eq(loaded.v, o.v, sizeof(float) * SIZE);
    nn_optim_free(&o);
    nn_optim_free(&loaded);
}

/* Loading must fail with `reason` and leave params untouched. */
static void expect_refused(const nn_model *m, nn_optimizer *o, const char *reason)
{
    float params[64];
    for (int i = 0; i < 64; ++i) params[i] = -1.0f;
    char err[512] = "";
    cr_assert_eq(nn_checkpoint_load(path, m, params, o, NULL, err, sizeof err), -1, "accepted; expected '%s'", reason);
    cr_expect(strstr(err, reason) != NULL, "expected '%s' in: %s", reason, err);
    cr_expect(strstr(err, path) == err, "the message starts with the file: %s", err);
    for (int i = 0; i < 64; ++i) cr_assert_eq(params[i], -1.0f, "a refused file changed parameter %d", i);
}

Test(checkpoint, refuses_other_shapes_and_names)
{
    save_toy();
    const nn_model shape = { .name = "toy3x3", .n_params = 18, .tensors = other_shape, .n_tensors = 1 };
    expect_refused(&shape, NULL, "tensor conv.weight has shape [2, 1, 2, 2] in the file but [2, 1, 3, 3] in model toy3x3");
    const nn_model name = { .name = "toyfc", .n_params = 48, .tensors = other_name, .n_tensors = 3 };
    expect_refused(&name, NULL, "has no tensor fc.weight");
}

Test(checkpoint, refuses_weights_only_files_for_resuming)
{
    float params[48];
    fill(params, 48, 0.0f);
    char err[512];
    cr_assert_eq(nn_checkpoint_save(path, &model, params, NULL, NULL, err, sizeof err), 0, "%s", err);
    nn_optim_config c = nn_optim_defaults(NN_SGD);
    nn_optimizer o;
    cr_assert_eq(nn_optim_init(&o, &c, 48), 0);
    expect_refused(&model, &o, "has no tensor optimizer.m.conv.weight (a weights-only file cannot resume training)");
    nn_optim_free(&o);
}

static void rewrite(long keep, const char *find, const char *replace)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    static char buf[1 << 16];
    const size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (find) {
        char *at = memmem(buf, n, find, strlen(find));
        cr_assert_not_null(at, "'%s' is not in the file", find);
        cr_assert_eq(strlen(find), strlen(replace));
        memcpy(at, replace, strlen(replace));
    }
    f = fopen(path, "wb");
    fwrite(buf, 1, keep >= 0 ? (size_t)keep : keep < -1 ? n + (size_t)keep : n, f); /* keep < -1: drop -keep bytes */
    fclose(f);
}

Test(checkpoint, refuses_truncated_and_lying_files)
{
    save_toy();
    rewrite(-8, NULL, NULL);
    expect_refused(&model, NULL, "but the file holds");
    rewrite(100, NULL, NULL);
    expect_refused(&model, NULL, "header length beyond the end of the file");
    rewrite(6, NULL, NULL);
    expect_refused(&model, NULL, "too short for a safetensors file");
    save_toy();
    rewrite(-1, "\"data_offsets\":[0,32]", "\"data_offsets\":[4,32]");
    expect_refused(&model, NULL, "tensor conv.weight: data_offsets [4, 32] do not fit its shape");
    save_toy();
    rewrite(-1, "\"dtype\":\"F32\"", "\"dtype\":\"F16\"");
    expect_refused(&model, NULL, "has dtype F16; this model is F32");
    save_toy();
    rewrite(-1, "{\"__metadata__\"", "[\"__metadata__\"");
    expect_refused(&model, NULL, "malformed safetensors header");
    save_toy();
    rewrite(-1, "\"fc.bias\"", "\"fc.bia_\"");
    expect_refused(&model, NULL, "has no tensor fc.bias");
}
