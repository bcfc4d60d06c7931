/* Malformed data files, written by tests/tools/make_bad_data.py into
 * BAD_DATA (one directory per case, listed in cases.tsv with the trainer, its
 * arguments and the text its error must hold): each trainer run stops with
 * exit status 1 and exactly one line on stderr, "train: FILE...: what is
 * wrong", before anything is written (its --save directory never appears). */
#include "helpers.h"

#include <sys/stat.h>

#define CASES(X)                                                                                            \
    X(npy_header_lies) X(npy_truncated) X(npy_string_dtype) X(npy_complex_dtype) X(npy_not_numpy)           \
    X(npz_nan_input) X(npz_inf_target) X(npz_member_not_npy) X(npz_missing_labels) X(npz_corrupt_member)    \
    X(label_out_of_range) X(float_label_for_classes) X(fewer_targets_than_inputs) X(target_shape_mismatch)  \
    X(multilabel_not_binary) X(input_shape_mismatch) X(csv_ragged_row) X(csv_text_cell) X(csv_empty_cell)   \
    X(csv_nan_cell) X(csv_empty_file) X(csv_header_only) X(csv_missing_target) X(csv_too_many_features)     \
    X(png_truncated) X(jpeg_truncated) X(text_named_png) X(empty_class_folder) X(hidden_files_only)         \
    X(three_classes_for_binary) X(idx_nan_image) X(idx_unknown_type) X(cifar_bad_label) X(cifar_truncated)  \
    X(idx_empty_test_set) X(idx_empty_training_set) X(npz_empty_test_set) X(fifo_idx_images) X(fifo_npz)    \
    X(fifo_npy) X(fifo_csv) X(fifo_cifar) X(idx_gzip_trailing_garbage) X(idx_header_exceeds_file)           \
    X(cifar_directory)

typedef struct {
    char trainer[64], args[512], expected[256];
} bad_case;

/* The case's line of cases.tsv. */
static bad_case find_case(const char *name)
{
    char path[256], line[1024];
    snprintf(path, sizeof path, "%s/cases.tsv", BAD_DATA);
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
        snprintf(c.trainer, sizeof c.trainer, "%s", fields[1]);
        snprintf(c.args, sizeof c.args, "%s", fields[2]);
        snprintf(c.expected, sizeof c.expected, "%s", fields[3]);
        found = 1;
    }
    fclose(f);
    cr_assert(found, "case %s is not in %s", name, path);
    return c;
}

/* "--data {dir}/x" with {dir} the case's directory. */
static void expand(char *out, size_t len, const char *args, const char *dir)
{
    const char *at = strstr(args, "{dir}");
    if (at) snprintf(out, len, "%.*s%s%s", (int)(at - args), args, dir, at + 5);
    else snprintf(out, len, "%s", args);
}

static void run_case(const char *name)
{
    const bad_case c = find_case(name);
    char dir[256], args[1024], run_dir[300], cmd[2048], err[8192];
    snprintf(dir, sizeof dir, "%s/%s", BAD_DATA, name);
    expand(args, sizeof args, c.args, dir);
    snprintf(run_dir, sizeof run_dir, "%s/run-%s", BAD_DATA, name);
    const char *binary =
        !strcmp(c.trainer, "cifar_small") ? BUILD_DIR "/tests/trainers/%s/train" : BUILD_DIR "/%s/train";
    char trainer[256];
    snprintf(trainer, sizeof trainer, binary, c.trainer);
    snprintf(cmd, sizeof cmd, "rm -rf %s; %s %s --epochs 1 --save %s 2>&1 >/dev/null", run_dir, trainer, args, run_dir);
    cr_expect_eq(run_capture(cmd, err, sizeof err), 1, "%s: exit status, stderr:\n%s", name, err);
    cr_expect(strncmp(err, "train: ", 7) == 0 && strchr(err, '\n') == err + strlen(err) - 1,
              "%s: not one line on stderr:\n%s", name, err);
    cr_expect(strstr(err, c.expected) != NULL, "%s: expected '%s' in:\n%s", name, c.expected, err);
    struct stat st;
    cr_expect(stat(run_dir, &st) != 0, "%s: %s was created before the data was checked", name, run_dir);
}

TestSuite(bad_data, .timeout = 60);

#define DECLARE(name) \
    Test(bad_data, name) { run_case(#name); }
CASES(DECLARE)

/* Every case the generator writes has a test above. */
Test(bad_data, every_case_is_run)
{
    char path[256], line[1024];
    snprintf(path, sizeof path, "%s/cases.tsv", BAD_DATA);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    int lines = 0;
    while (fgets(line, sizeof line, f)) ++lines;
    fclose(f);
#define COUNT(name) +1
    cr_expect_eq(lines, 0 CASES(COUNT), "cases.tsv has %d cases", lines);
}
