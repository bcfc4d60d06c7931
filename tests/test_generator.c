/* The generator as a user meets it: every malformed spec in tests/spec_errors
 * and every hostile one in tests/hostile_specs (first line "-- expect:
 * MESSAGE") must fail with exit status 1 and exactly that one line, write
 * nothing, and show no Lua traceback, within 10 s and 1 GiB of address space;
 * generating a spec twice must give byte-identical files. Run from the
 * repository root. */
#include "helpers.h"

#include <criterion/parameterized.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#define ERRORS_DIR "tests/spec_errors"
#define HOSTILE_DIR "tests/hostile_specs"
#define LIMIT_SECONDS 10
#define LIMIT_KIB 1048576

typedef struct {
    char file[128];
} spec_case;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const spec_case *)a)->file, ((const spec_case *)b)->file);
}

/* The .lua files of `dir`, sorted. */
static struct criterion_test_params specs_in(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    size_t n = 0;
    spec_case *cases = cr_malloc(sizeof(spec_case) * 256);
    for (struct dirent *e; (e = readdir(d)) && n < 256;) {
        const size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".lua")) continue;
        const int written = snprintf(cases[n].file, sizeof cases[0].file, "%s/%s", dir, e->d_name);
        cr_assert(written > 0 && (size_t)written < sizeof cases[0].file, "%s/%s: name longer than %zu characters", dir,
                  e->d_name, sizeof cases[0].file - 1);
        n++;
    }
    closedir(d);
    qsort(cases, n, sizeof *cases, by_name);
    return cr_make_param_array(spec_case, cases, n);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

/* Runs the generator on `file` under the limits; it must refuse the spec as its first line says. */
static void expect_refused(const char *file)
{
    char expect[512] = "", cmd[512], out[8192], outdir[64];
    FILE *f = fopen(file, "r");
    cr_assert_not_null(f, "%s", file);
    cr_assert_not_null(fgets(expect, sizeof expect, f));
    fclose(f);
    cr_assert(!strncmp(expect, "-- expect: ", 11), "%s: first line must be '-- expect: MESSAGE'", file);
    memmove(expect, expect + 11, strlen(expect + 11) + 1);
    expect[strcspn(expect, "\n")] = '\0';

    make_dir(outdir, sizeof outdir, "gen");
    snprintf(cmd, sizeof cmd, "ulimit -v %d && exec timeout %d lua5.4 generator/main.lua %s --out %s/model 2>&1",
             LIMIT_KIB, LIMIT_SECONDS, file, outdir);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const int status = run_capture(cmd, out, sizeof out);
    const double seconds = seconds_since(&start);
    cr_expect_neq(status, 124, "%s: still running after %d s", file, LIMIT_SECONDS);
    cr_expect_eq(status, 1, "%s: exit status %d", file, status);
    cr_expect(seconds < LIMIT_SECONDS, "%s: took %.1f s", file, seconds);
    cr_expect(strstr(out, expect) == out, "%s:\n  expected: %s\n  got:      %s", file, expect, out);
    const char *newline = strchr(out, '\n');
    cr_expect(newline && newline[1] == '\0', "%s: expected one line, got:\n%s", file, out);
    cr_expect(!strstr(out, "traceback") && !strstr(out, "internal error"), "%s: %s", file, out);
    char model_dir[96];
    snprintf(model_dir, sizeof model_dir, "%s/model", outdir);
    cr_expect(access(model_dir, F_OK) != 0, "%s: the failed run wrote %s", file, model_dir);
    rmdir(outdir);
}

ParameterizedTestParameters(generator, rejects_malformed_spec)
{
    return specs_in(ERRORS_DIR);
}

ParameterizedTest(spec_case *c, generator, rejects_malformed_spec)
{
    expect_refused(c->file);
}

ParameterizedTestParameters(generator, rejects_hostile_spec)
{
    return specs_in(HOSTILE_DIR);
}

ParameterizedTest(spec_case *c, generator, rejects_hostile_spec)
{
    expect_refused(c->file);
}

static void expect_identical_runs(const char *spec, const char *dtype)
{
    char cmd[512], out[4096], dir[64];
    make_dir(dir, sizeof dir, "det");
    snprintf(cmd, sizeof cmd,
             "lua5.4 generator/main.lua %s --dtype %s --out %s/a && lua5.4 generator/main.lua %s --dtype %s --out %s/b"
             " && diff -r %s/a %s/b 2>&1",
             spec, dtype, dir, spec, dtype, dir, dir, dir);
    const int status = run_capture(cmd, out, sizeof out);
    cr_expect_eq(status, 0, "%s (%s): two runs differ:\n%s", spec, dtype, out);
    snprintf(cmd, sizeof cmd, "ls %s/a | wc -l", dir);
    run_capture(cmd, out, sizeof out);
    cr_expect_gt(atoi(out), 1, "%s: no files were generated", spec);
    remove_dir(dir);
}

Test(generator, byte_identical_runs)
{
    const char *specs[] = { "specs/fmnist_cnn.lua", "specs/fmnist_factorized.lua", "specs/conv1d_seq.lua",
                            "specs/fmnist_mlp.lua", "tests/gradcheck/net_cnn.lua" };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; ++i) {
        expect_identical_runs(specs[i], "float");
        expect_identical_runs(specs[i], "double");
    }
}

Test(generator, summary_lists_every_layer_with_totals)
{
    char out[8192];
    const int status = run_capture("lua5.4 generator/main.lua specs/fmnist_cnn.lua --summary 2>&1", out, sizeof out);
    cr_assert_eq(status, 0, "%s", out);
    cr_expect(strstr(out, "0      conv2d 3x3        32x26x26          320    194,688") != NULL, "%s", out);
    cr_expect(strstr(out, "7      linear 1600->128  128           204,928    204,800") != NULL, "%s", out);
    cr_expect(strstr(out, "Total params: 225,034") != NULL, "%s", out);
    cr_expect(strstr(out, "Total MACs per image (forward): 2,631,040") != NULL, "%s", out);
}

/* The counts the usual CIFAR ResNets have in PyTorch (parameters; MACs of conv and linear layers). */
Test(generator, resnet_summaries_have_the_reference_counts)
{
    const struct {
        const char *spec, *params, *macs;
    } nets[] = {
        { "specs/resnet18.lua", "Total params: 11,173,962", "Total MACs per image (forward): 555,422,720" },
        { "specs/resnet34.lua", "Total params: 21,282,122", "Total MACs per image (forward): 1,159,402,496" },
        { "specs/resnet50.lua", "Total params: 23,520,842", "Total MACs per image (forward): 1,297,829,888" },
    };
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; ++i) {
        char cmd[256], out[1 << 16];
        snprintf(cmd, sizeof cmd, "lua5.4 generator/main.lua %s --summary 2>&1", nets[i].spec);
        cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
        cr_expect(strstr(out, nets[i].params) != NULL, "%s: expected '%s'", nets[i].spec, nets[i].params);
        cr_expect(strstr(out, nets[i].macs) != NULL, "%s: expected '%s'", nets[i].spec, nets[i].macs);
    }
}

/* freeze and lr_mult in a spec become the model's rule table, in order. */
Test(generator, spec_learning_rate_rules_reach_the_model)
{
    char dir[64], cmd[512], out[1 << 14];
    make_dir(dir, sizeof dir, "gen");
    snprintf(cmd, sizeof cmd, "%s/probe.lua", dir);
    FILE *f = fopen(cmd, "w");
    cr_assert_not_null(f);
    fputs("return network{ input = { 1, 8, 8 }, freeze = { \"conv.*\" }, lr_mult = { [\"fc.bias\"] = 2, [\"fc.w*\"] = 0.5 },\n"
          "  conv2d{ 2, k = 3, name = \"conv\" }, flatten{}, linear{ 3, name = \"fc\" }, loss = softmax_cross_entropy{} }\n",
          f);
    cr_assert_eq(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "lua5.4 generator/main.lua %s/probe.lua --out %s/out 2>&1 && grep -A4 '_lr_rules\\[\\]' "
             "%s/out/probe.c && grep 'lr_rules' %s/out/probe.c | tail -2", dir, dir, dir, dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    cr_expect_str_eq(out, "static const nn_lr_rule probe_lr_rules[] = {\n"
                          "    { \"conv.*\", 0.0 },\n"
                          "    { \"fc.bias\", 2.0 },\n"
                          "    { \"fc.w*\", 0.5 },\n"
                          "};\n"
                          "    .lr_rules = probe_lr_rules,\n"
                          "    .n_lr_rules = 3,\n");
    remove_dir(dir);
}

/* No spec reaches it past the per-tensor limits, but the MAC total is summed
 * without wrapping: two layers of 2^62 MACs are past what a long long holds. */
Test(generator, mac_total_past_long_long_fails)
{
    char out[1024];
    const int status = run_capture(
        "lua5.4 -e 'package.path = \"generator/?.lua;\" .. package.path\n"
        "local errors, limits = require(\"errors\"), require(\"limits\")\n"
        "local function node(p) return { file = \"net.lua\", line = 1, path = p, op = \"conv2d\", macs = 1 << 62 } end\n"
        "local ok, e = pcall(limits.total_macs, { node(\"0\"), node(\"1\") })\n"
        "io.write(tostring(ok), \" \", tostring(errors.is_user_error(e)), \" \", tostring(e))' 2>&1",
        out, sizeof out);
    cr_assert_eq(status, 0, "%s", out);
    cr_expect_str_eq(out, "false true net.lua:1: layer 1 (conv2d): the MAC count up to this layer is more than "
                          "9,223,372,036,854,775,807 (a long long)");
}

/* Paths past the widths string.format takes (99): 60 nested seqs and 64-character names. */
Test(generator, summary_shows_long_paths)
{
    char dir[64], cmd[256], out[1 << 14];
    make_dir(dir, sizeof dir, "gen");
    snprintf(cmd, sizeof cmd, "%s/deep.lua", dir);
    FILE *f = fopen(cmd, "w");
    cr_assert_not_null(f);
    fputs("local layer = linear{ 2, name = string.rep(\"l\", 64) }\n"
          "for _ = 1, 60 do layer = seq{ layer } end\n"
          "return network{ input = { 4 }, seq{ name = string.rep(\"s\", 64), layer }, loss = mse{} }\n",
          f);
    cr_assert_eq(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "lua5.4 generator/main.lua %s/deep.lua --summary 2>&1", dir);
    cr_assert_eq(run_capture(cmd, out, sizeof out), 0, "%s", out);
    char row[512] = "";
    strcat(row, "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss");
    for (int i = 0; i < 60; ++i) strcat(row, ".0");
    strcat(row, ".llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll  linear 4->2  2    ");
    cr_expect(strstr(out, row) != NULL, "no row '%s' in:\n%s", row, out);
    cr_expect(strstr(out, "Total params: 10") != NULL, "%s", out);
    remove_dir(dir);
}

Test(generator, refuses_a_directory_as_spec)
{
    char out[1024];
    cr_assert_eq(run_capture("lua5.4 generator/main.lua tests/hostile_specs 2>&1", out, sizeof out), 1, "%s", out);
    cr_expect_str_eq(out, "tests/hostile_specs: cannot read the spec file (a directory?)\n");
}
