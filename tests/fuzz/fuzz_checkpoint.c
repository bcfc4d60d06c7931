/* libFuzzer harness of the checkpoint reader: the input as a file, read and
 * checked whole (header, offsets, values, metadata fields), then matched
 * against a small model with no optimizer state, SGD's and Adam's, and
 * applied. What it accepts must keep the promises the trainer relies on:
 * finite values, non-negative second moments and variances, every field the
 * runtime writes parsing in its range (an RNG state that draws), and a
 * round trip: written back and read again, the same tensors and metadata. */
#include "../../runtime/checkpoint_fields.c"
#include "../../runtime/checkpoint_header.c"
#include "../../runtime/checkpoint_match.c"
#include "../../runtime/checkpoint_read.c"
#include "../../runtime/checkpoint_save.c"
#include "../../runtime/regular_file.c"
#include "../../runtime/rng.c"
#include "../../runtime/stop_signals.c"
#include "input_file.h"

enum { N = 14 };
static const nn_tensor table[] = {
    { "conv.weight", 4, { 2, 1, 2, 2 }, 0, 8, NN_TRAINABLE | NN_DECAY, NN_INIT_ZEROS, 4, 8 },
    { "bn.running_var", 1, { 3 }, 8, 3, NN_BUFFER, NN_INIT_ONES, 1, 1 },
    { "fc.bias", 1, { 3 }, 11, 3, NN_TRAINABLE, NN_INIT_ZEROS, 1, 1 },
};
static const nn_model model = { .name = "toy", .n_params = N, .tensors = table, .n_tensors = 3 };

/* Where the round trip writes (the writer syncs it: in memory, that costs nothing). */
static char out_path[64];

static void remove_out_file(void) { unlink(out_path); }

static const char *out_file(void)
{
    if (!out_path[0]) {
        make_temp_file(out_path, "checkpoint");
        atexit(remove_out_file);
    }
    return out_path;
}

/* The fields the trainer reads, in their ranges; an RNG state that draws (a zero one never would). */
static void check_fields(const nn_ckpt_meta *meta)
{
    long long epoch, step, optimizer_step;
    const int has_epoch = nn_ckpt_field_integer(meta, "epoch", &epoch) == 0;
    const int has_step = nn_ckpt_field_integer(meta, "step", &step) == 0;
    if (has_epoch && (epoch < 1 || epoch > NN_CKPT_MAX_EPOCH)) __builtin_trap();
    if (has_step && (step < 1 || step > NN_CKPT_MAX_STEP || (has_epoch && step < epoch))) __builtin_trap();
    if (nn_ckpt_field_integer(meta, "optimizer_step", &optimizer_step) == 0 && has_step && optimizer_step != step)
        __builtin_trap();
    double x, std[NN_MAX_CHANNELS];
    if (nn_ckpt_meta_get(meta, "best_val") && (nn_ckpt_field_number(meta, "best_val", &x) != 0 || !isfinite(x)))
        __builtin_trap();
    const int n = nn_ckpt_field_numbers(meta, "std", std, NN_MAX_CHANNELS);
    for (int i = 0; i < n; ++i)
        if (!(std[i] > 0) || !isfinite(std[i])) __builtin_trap();
    for (int i = 0; i < meta->count; ++i) {
        nn_rng r;
        if (strncmp(meta->key[i], "rng_", 4)) continue;
        if (nn_ckpt_field_rng(meta, meta->key[i], &r) != 0) __builtin_trap();
        for (uint32_t k = 1; k < 50; ++k) (void)nn_rng_below(&r, k);
    }
}

static void check_applied(const float *p, const float *v)
{
    for (int i = 0; i < N; ++i)
        if (!isfinite(p[i]) || (v && !(v[i] >= 0)) || (i >= 8 && i < 11 && p[i] < 0)) __builtin_trap();
}

/* Written back and read again: the same tensors and metadata. */
static void round_trip(const nn_checkpoint *c, const float *params, const nn_optimizer *adam)
{
    char err[4352];
    float p2[N], m2[N] = { 0 }, v2[N] = { 0 }; /* a buffer has no optimizer state */
    nn_optimizer again = { .cfg.kind = NN_ADAM, .n = N, .m = m2, .v = v2 };
    nn_checkpoint back;
    if (nn_checkpoint_save(out_file(), &model, params, adam, &c->meta, err, sizeof err) != 0) __builtin_trap();
    if (nn_checkpoint_read(&back, out_path, err, sizeof err) != 0) __builtin_trap();
    if (nn_checkpoint_match(&back, &model, &again, err, sizeof err) != 0) __builtin_trap();
    nn_checkpoint_apply(&back, &model, p2, &again);
    if (memcmp(p2, params, sizeof p2) || memcmp(m2, adam->m, sizeof m2) || memcmp(v2, adam->v, sizeof v2) ||
        back.meta.count != c->meta.count)
        __builtin_trap();
    for (int i = 0; i < c->meta.count; ++i)
        if (strcmp(back.meta.key[i], c->meta.key[i]) || strcmp(back.meta.value[i], c->meta.value[i])) __builtin_trap();
    nn_checkpoint_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = write_input(data, size);
    char err[4352];
    nn_checkpoint c;
    if (nn_checkpoint_read(&c, path, err, sizeof err) != 0) return 0;
    check_fields(&c.meta);
    float params[N], m[N], v[N];
    nn_optimizer sgd = { .cfg.kind = NN_SGD, .n = N, .m = m }, adam = { .cfg.kind = NN_ADAM, .n = N, .m = m, .v = v };
    nn_optimizer *const opts[] = { NULL, &sgd, &adam };
    for (int k = 0; k < 3; ++k) {
        memset(params, 0, sizeof params);
        memset(m, 0, sizeof m);
        memset(v, 0, sizeof v);
        if (nn_checkpoint_match(&c, &model, opts[k], err, sizeof err) != 0) continue;
        nn_checkpoint_apply(&c, &model, params, opts[k]);
        check_applied(params, k == 2 ? v : NULL);
        if (k == 2) round_trip(&c, params, &adam);
    }
    nn_checkpoint_free(&c);
    return 0;
}
