/* Crafted checkpoints, written by tests/tools/make_bad_checkpoints.py into
 * BAD_CKPT by patching a valid one of the mlp_batch8 test trainer (a
 * directory per case, listed in cases.tsv): every metadata field out of range,
 * malformed, missing, repeated or inconsistent; overlapping, gapped and lying
 * offsets; NaN, infinite and negative-variance values; more tensors than the
 * model has; a directory and a FIFO. The trainer refuses each (given with
 * --resume or --eval) with exit status 1 and one line on stderr naming the
 * file, and writes nothing: the file is intact and its run directory gains
 * nothing. The loader alone (nn_checkpoint_load) refuses every file of level
 * "file", leaving the parameters and the optimizer state untouched, and
 * accepts those of level "run", which only the run refuses. The valid file,
 * as the tool writes it back unpatched, resumes and evaluates; patched into a
 * checkpoint saved mid-epoch, it resumes. */
#include "checkpoint.h"
#include "helpers.h"
#include "mlp_batch8.h"

#include <sys/stat.h>

#define TRAINER BUILD_DIR "/tests/trainers/mlp_batch8/train"

#define CASES(X)                                                                                                 \
    X(epoch_text) X(epoch_negative) X(epoch_int_max) X(epoch_zero) X(epoch_missing) X(step_long_max)             \
    X(step_fraction) X(step_below_epoch) X(optimizer_step_differs) X(optimizer_step_missing) X(optimizer_unknown) \
    X(optimizer_other) X(spec_other) X(spec_missing) X(best_val_nan) X(mean_text) X(std_zero) X(std_infinite)    \
    X(std_count) X(mean_channels) X(classes_empty_name) X(rng_zero) X(rng_short) X(rng_signed) X(rng_missing)    \
    X(field_twice) X(field_too_long) X(too_many_fields) X(offsets_overlap) X(offsets_shared) X(offsets_gap)      \
    X(offsets_wrong_size) X(data_truncated) X(header_length_beyond) X(header_trailing_text) X(dtype_f64)         \
    X(tensor_twice) X(tensor_foreign) X(tensor_count) X(nan_weight) X(nan_weight_eval) X(infinite_bias_eval)    \
    X(nan_momentum) X(negative_second_moment) X(directory) X(fifo) X(progress_partial) X(progress_updates_zero)  \
    X(progress_loss_nan) X(progress_correct_above_records) X(progress_beyond_step) X(progress_beyond_epoch)
#define COUNT(name) +1
enum { N_BAD = 0 CASES(COUNT), N_SOUND = 3 };

typedef struct {
    char mode[16], level[16], expected[512];
} bad_case;

/* The case's line of cases.tsv: name, mode, level, expected text. */
static bad_case find_case(const char *name)
{
    char path[256], line[1024];
    snprintf(path, sizeof path, "%s/cases.tsv", BAD_CKPT);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    bad_case c = { 0 };
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *fields[4], *save = NULL;
        fields[0] = strtok_r(line, "\t", &save);
        for (int i = 1; i < 4; ++i) fields[i] = strtok_r(NULL, "\t", &save);
        if (!fields[3] || strcmp(fields[0], name)) continue;
        snprintf(c.mode, sizeof c.mode, "%s", fields[1]);
        snprintf(c.level, sizeof c.level, "%s", fields[2]);
        snprintf(c.expected, sizeof c.expected, "%s", fields[3]);
        found = 1;
    }
    fclose(f);
    cr_assert(found, "case %s is not in %s", name, path);
    return c;
}

static char dir[64];
static void setup(void) { make_dir(dir, sizeof dir, "badckpt"); }
static void teardown(void) { remove_dir(dir); }
TestSuite(bad_checkpoints, .init = setup, .fini = teardown, .timeout = 60);

/* The trainer given a copy of the case's file, in a run directory that is also its --save directory;
 * `streams` is the shell redirection of what to capture. Returns the exit status. */
static int run_trainer(const char *name, const bad_case *c, const char *streams, char *out, size_t len)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -a %s/%s %s/run && " TRAINER " --data %s/data --threads 1 --epochs 2 --%s "
             "%s/run/last.safetensors --save %s/run %s", BAD_CKPT, name, dir, BAD_CKPT, c->mode, dir, dir, streams);
    return run_capture(cmd, out, len);
}

static int file_type(mode_t m) { return S_ISREG(m) ? 1 : S_ISDIR(m) ? 2 : S_ISFIFO(m) ? 3 : 0; }

/* The run directory holds the case's file alone, as it was. */
static void expect_untouched(const char *name)
{
    char cmd[1024], out[512], original[256], copy[256];
    snprintf(cmd, sizeof cmd, "ls -A %s/run", dir);
    run_capture(cmd, out, sizeof out);
    cr_expect_str_eq(out, "last.safetensors\n", "%s: the run directory changed", name);
    snprintf(original, sizeof original, "%s/%s/last.safetensors", BAD_CKPT, name);
    snprintf(copy, sizeof copy, "%s/run/last.safetensors", dir);
    struct stat a, b;
    cr_assert(lstat(original, &a) == 0 && lstat(copy, &b) == 0);
    cr_expect_eq(file_type(a.st_mode), file_type(b.st_mode), "%s: the file changed type", name);
    snprintf(cmd, sizeof cmd, "test ! -f %s || cmp %s %s 2>&1", copy, original, copy);
    cr_expect_eq(run_capture(cmd, out, sizeof out), 0, "%s: the file changed: %s", name, out);
}

/* nn_checkpoint_load as the case's mode uses it (with the Adam state of a resumed run, or
 * weights only): a "file" case is refused with its text and changes nothing; the others load. */
static void expect_loader(const char *name, const bad_case *c)
{
    const nn_model *m = &mlp_batch8_model;
    char path[256], err[4352] = "";
    snprintf(path, sizeof path, "%s/%s/last.safetensors", BAD_CKPT, name);
    nn_optim_config cfg = nn_optim_defaults(NN_ADAM);
    nn_optimizer o;
    float *params = malloc(sizeof(float) * m->n_params);
    cr_assert(params && nn_optim_init(&o, &cfg, m->n_params) == 0);
    for (size_t i = 0; i < m->n_params; ++i) params[i] = o.m[i] = o.v[i] = 0.5f;
    o.step = 3;
    const int rc = nn_checkpoint_load(path, m, params, strcmp(c->mode, "eval") ? &o : NULL, NULL, err, sizeof err);
    if (strcmp(c->level, "file")) {
        cr_expect_eq(rc, 0, "%s: the loader refused a sound file: %s", name, err);
    } else {
        cr_expect_eq(rc, -1, "%s: the loader accepted it", name);
        cr_expect(strncmp(err, path, strlen(path)) == 0 && strstr(err, c->expected), "%s: expected '%s' in: %s", name,
                  c->expected, err);
        for (size_t i = 0; i < m->n_params; ++i)
            cr_assert(params[i] == 0.5f && o.m[i] == 0.5f && o.v[i] == 0.5f, "%s: element %zu changed", name, i);
        cr_expect_eq(o.step, 3, "%s: the optimizer step changed", name);
    }
    nn_optim_free(&o);
    free(params);
}

static void refused(const char *name)
{
    const bad_case c = find_case(name);
    char err[8192], prefix[256];
    cr_expect_eq(run_trainer(name, &c, "2>&1 >/dev/null", err, sizeof err), 1, "%s: exit status, stderr:\n%s", name,
                 err);
    snprintf(prefix, sizeof prefix, "train: %s/run/last.safetensors: ", dir);
    cr_expect(strncmp(err, prefix, strlen(prefix)) == 0 && strchr(err, '\n') == err + strlen(err) - 1,
              "%s: not one line naming the file on stderr:\n%s", name, err);
    cr_expect(strstr(err, c.expected) != NULL, "%s: expected '%s' in:\n%s", name, c.expected, err);
    expect_untouched(name);
    expect_loader(name, &c);
}

#define DECLARE(name) \
    Test(bad_checkpoints, name) { refused(#name); }
CASES(DECLARE)

/* The unpatched file, as the tool writes it back: resumed and evaluated. */
static void accepted(const char *name)
{
    const bad_case c = find_case(name);
    char out[32768];
    cr_expect_eq(run_trainer(name, &c, "2>&1", out, sizeof out), 0, "%s:\n%s", name, out);
    cr_expect(strstr(out, c.expected) != NULL, "%s: expected '%s' in:\n%s", name, c.expected, out);
    expect_loader(name, &c);
}

Test(bad_checkpoints, good) { accepted("good"); }
Test(bad_checkpoints, good_eval) { accepted("good_eval"); }
Test(bad_checkpoints, good_mid_epoch) { accepted("good_mid_epoch"); }

Test(bad_checkpoints, every_case_of_the_tool_runs_here)
{
    char cmd[256], out[64];
    snprintf(cmd, sizeof cmd, "grep -c . %s/cases.tsv", BAD_CKPT);
    run_capture(cmd, out, sizeof out);
    cr_expect_eq(atoi(out), N_BAD + N_SOUND, "cases.tsv has %d cases, this suite %d", atoi(out), N_BAD + N_SOUND);
}
