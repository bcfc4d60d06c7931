/* The IDX reader and the data set loader on files this test writes: good
 * (plain and gzipped), wrong magic, wrong element type, truncated, longer
 * than the header, and image/label count mismatches. */
#include "dataset.h"
#include "helpers.h"
#include "idx.h"

#include <zlib.h>

static char dir[64];
static void setup(void) { make_dir(dir, sizeof dir, "data"); }
static void teardown(void) { remove_dir(dir); }

TestSuite(data, .init = setup, .fini = teardown);

/* An IDX header for unsigned bytes with the given dimensions, then `bytes` of data. */
static size_t idx_bytes(unsigned char *buf, int type, int ndims, const uint32_t *dims, size_t bytes)
{
    size_t n = 0;
    buf[n++] = 0;
    buf[n++] = 0;
    buf[n++] = (unsigned char)type;
    buf[n++] = (unsigned char)ndims;
    for (int i = 0; i < ndims; ++i) {
        buf[n++] = (unsigned char)(dims[i] >> 24);
        buf[n++] = (unsigned char)(dims[i] >> 16);
        buf[n++] = (unsigned char)(dims[i] >> 8);
        buf[n++] = (unsigned char)dims[i];
    }
    for (size_t i = 0; i < bytes; ++i) buf[n++] = (unsigned char)(i * 7 % 256);
    return n;
}

static const char *write_file(const char *name, const unsigned char *buf, size_t len, int gz)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(gzwrite(f, buf, (unsigned)len), (int)len);
        cr_assert_eq(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(fwrite(buf, 1, len, f), len);
        cr_assert_eq(fclose(f), 0);
    }
    return path;
}

static unsigned char buf[4096];

static void expect_error(const char *path, const char *reason)
{
    nn_idx idx;
    char err[256] = "";
    cr_assert_eq(nn_idx_read(path, &idx, err, sizeof err), -1, "%s was accepted", path);
    cr_expect(strstr(err, path) != NULL, "the message names the file: %s", err);
    cr_expect(strstr(err, reason) != NULL, "expected '%s' in: %s", reason, err);
}

Test(data, reads_plain_and_gzipped_files)
{
    const uint32_t dims[3] = { 5, 4, 3 };
    const size_t len = idx_bytes(buf, 0x08, 3, dims, 60);
    for (int gz = 0; gz <= 1; ++gz) {
        const char *path = write_file(gz ? "good.gz" : "good", buf, len, gz);
        nn_idx idx;
        char err[256];
        cr_assert_eq(nn_idx_read(path, &idx, err, sizeof err), 0, "%s", err);
        cr_expect_eq(idx.ndims, 3);
        cr_expect_eq(idx.dims[0], 5);
        cr_expect_eq(idx.dims[2], 3);
        cr_expect_eq(idx.size, 60);
        cr_expect_eq(idx.data[59], 59 * 7 % 256);
        nn_idx_free(&idx);
    }
}

Test(data, rejects_wrong_magic)
{
    const uint32_t dims[1] = { 4 };
    const size_t len = idx_bytes(buf, 0x08, 1, dims, 4);
    buf[1] = 0x42;
    expect_error(write_file("magic", buf, len, 0), "bad magic number");
}

Test(data, rejects_other_element_types)
{
    const uint32_t dims[1] = { 4 };
    const size_t len = idx_bytes(buf, 0x0D, 1, dims, 16);
    expect_error(write_file("float", buf, len, 0), "is not unsigned byte");
}

Test(data, rejects_truncated_data_plain_and_gzipped)
{
    const uint32_t dims[2] = { 10, 10 };
    const size_t len = idx_bytes(buf, 0x08, 2, dims, 100);
    expect_error(write_file("short", buf, len - 1, 0), "truncated");
    expect_error(write_file("short.gz", buf, len - 30, 1), "truncated");
    expect_error(write_file("header", buf, 6, 0), "truncated header");
}

Test(data, rejects_files_longer_than_the_header_says)
{
    const uint32_t dims[1] = { 4 };
    const size_t len = idx_bytes(buf, 0x08, 1, dims, 5);
    expect_error(write_file("long", buf, len, 0), "longer than its header says");
}

Test(data, rejects_missing_files)
{
    char path[128];
    snprintf(path, sizeof path, "%s/none", dir);
    expect_error(path, "cannot open");
}

Test(data, loads_a_data_set_directory_and_checks_counts)
{
    const uint32_t images[3] = { 3, 2, 2 }, labels[1] = { 3 }, wrong[1] = { 4 };
    size_t len = idx_bytes(buf, 0x08, 3, images, 12);
    write_file("train-images-idx3-ubyte.gz", buf, len, 1);
    len = idx_bytes(buf, 0x08, 1, labels, 3);
    write_file("train-labels-idx1-ubyte", buf, len, 0);
    nn_dataset ds;
    char err[4352];
    cr_assert_eq(nn_dataset_load_idx_dir(dir, "train", &ds, err, sizeof err), 0, "%s", err);
    cr_expect_eq(ds.count, 3);
    cr_expect_eq(ds.sample_size, 4);
    cr_expect_float_eq(ds.x[11], (11 * 7 % 256) / 255.0f, 1e-7);
    cr_expect_eq(ds.y[2], 14);
    nn_dataset_free(&ds);

    len = idx_bytes(buf, 0x08, 1, wrong, 4);
    write_file("train-labels-idx1-ubyte", buf, len, 0);
    cr_assert_eq(nn_dataset_load_idx_dir(dir, "train", &ds, err, sizeof err), -1);
    cr_expect(strstr(err, "4 labels for 3 images") != NULL, "%s", err);
}

Test(data, normalization_gives_zero_mean_unit_std)
{
    float x[6] = { 0, 0.2f, 0.4f, 0.6f, 0.8f, 1.0f };
    uint8_t y[2] = { 0, 1 };
    nn_dataset ds = { .count = 2, .channels = 1, .height = 1, .width = 3, .sample_size = 3, .x = x, .y = y };
    const uint32_t all[2] = { 0, 1 };
    double mean, std;
    nn_dataset_stats(&ds, all, 2, &mean, &std);
    cr_expect_float_eq(mean, 0.5, 1e-6);
    nn_dataset_normalize(&ds, mean, std);
    nn_dataset_stats(&ds, all, 2, &mean, &std);
    cr_expect_float_eq(mean, 0.0, 1e-6);
    cr_expect_float_eq(std, 1.0, 1e-5);
}
