/* The IDX and CIFAR-10 readers on files this test writes: good (plain and
 * gzipped, every IDX element type), wrong magic, unknown element type,
 * truncated, longer than the header, count mismatches, bad labels; gzip files of several members, with
 * bytes after the data, cut short or failing their CRC; headers that claim more than the file holds;
 * per-channel normalization; records resized as PIL does (--resize); and the augmentation of training images. */
#include "augment.h"
#include "cifar.h"
#include "data_source.h"
#include "dataset.h"
#include "helpers.h"
#include "idx.h"

#include <math.h>
#include <sys/stat.h>
#include <zlib.h>

static char dir[64];
static void setup(void) { make_dir(dir, sizeof dir, "data"); }
static void teardown(void) { remove_dir(dir); }

TestSuite(data, .init = setup, .fini = teardown);

/* An IDX header for the element type with the given dimensions, then `bytes` of data. */
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
    nn_array idx;
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
        nn_array idx;
        char err[256];
        cr_assert_eq(nn_idx_read(path, &idx, err, sizeof err), 0, "%s", err);
        cr_expect_eq(idx.dtype, NN_U8);
        cr_expect_eq(idx.ndims, 3);
        cr_expect_eq(idx.dims[0], 5);
        cr_expect_eq(idx.dims[2], 3);
        cr_expect_eq(idx.count, 60);
        cr_expect_eq(idx.data[59], 59 * 7 % 256);
        nn_array_free(&idx);
    }
}

Test(data, rejects_wrong_magic)
{
    const uint32_t dims[1] = { 4 };
    const size_t len = idx_bytes(buf, 0x08, 1, dims, 4);
    buf[1] = 0x42;
    expect_error(write_file("magic", buf, len, 0), "bad magic number");
}

Test(data, rejects_unknown_element_types)
{
    const uint32_t dims[1] = { 4 };
    const size_t len = idx_bytes(buf, 0x0A, 1, dims, 4);
    expect_error(write_file("type0a", buf, len, 0), "unknown element type 0x0a");
}

/* Writes the value v of IDX type `type` big-endian at p; returns its size. */
static size_t put_be(unsigned char *p, int type, double v)
{
    uint64_t bits = 0;
    size_t size = 1;
    if (type == 0x08) bits = (uint8_t)v;
    if (type == 0x09) bits = (uint8_t)(int8_t)v;
    if (type == 0x0B) bits = (uint16_t)(int16_t)v, size = 2;
    if (type == 0x0C) bits = (uint32_t)(int32_t)v, size = 4;
    if (type == 0x0D) {
        const float f = (float)v;
        uint32_t u;
        memcpy(&u, &f, 4);
        bits = u, size = 4;
    }
    if (type == 0x0E) memcpy(&bits, &v, 8), size = 8;
    for (size_t b = 0; b < size; ++b) p[b] = (unsigned char)(bits >> 8 * (size - 1 - b));
    return size;
}

Test(data, reads_every_idx_element_type_plain_and_gzipped)
{
    static const struct { int type; nn_dtype dtype; double values[4]; } cases[] = {
        { 0x08, NN_U8, { 0, 1, 200, 255 } },
        { 0x09, NN_I8, { -128, -1, 0, 127 } },
        { 0x0B, NN_I16, { -32768, -2, 300, 32767 } },
        { 0x0C, NN_I32, { -2147483648.0, -70000, 1, 2147483647.0 } },
        { 0x0D, NN_F32, { -1.5, 0.1f, 3e38f, 1e-40f } },
        { 0x0E, NN_F64, { -1.5, 0.1, 1e308, 4.9e-324 } },
    };
    const uint32_t dims[2] = { 2, 2 };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; ++k)
        for (int gz = 0; gz <= 1; ++gz) {
            size_t len = idx_bytes(buf, cases[k].type, 2, dims, 0);
            for (int i = 0; i < 4; ++i) len += put_be(buf + len, cases[k].type, cases[k].values[i]);
            const char *path = write_file(gz ? "typed.gz" : "typed", buf, len, gz);
            nn_array a;
            char err[256];
            cr_assert_eq(nn_idx_read(path, &a, err, sizeof err), 0, "type 0x%02x: %s", cases[k].type, err);
            cr_expect_eq(a.dtype, cases[k].dtype, "type 0x%02x", cases[k].type);
            cr_expect_eq(a.count, 4);
            cr_expect_eq(a.dims[1], 2);
            for (int i = 0; i < 4; ++i)
                cr_expect_eq(nn_array_at(&a, (size_t)i), cases[k].values[i], "type 0x%02x value %d: %.17g",
                             cases[k].type, i, nn_array_at(&a, (size_t)i));
            nn_array_free(&a);
        }
}

Test(data, rejects_truncated_float_data)
{
    const uint32_t dims[2] = { 3, 2 };
    size_t len = idx_bytes(buf, 0x0E, 2, dims, 0);
    for (int i = 0; i < 6; ++i) len += put_be(buf + len, 0x0E, i * 0.25);
    expect_error(write_file("double", buf, len - 3, 0), "truncated: header promises 48 data bytes, file has 45");
    len = idx_bytes(buf, 0x0D, 2, dims, 20);
    expect_error(write_file("float.gz", buf, len, 1), "truncated: header promises 24 data bytes, file has 20");
}

Test(data, rejects_absurd_sizes)
{
    const uint32_t dims[3] = { 0xffffffffu, 0xffffffffu, 0xffffffffu };
    const size_t len = idx_bytes(buf, 0x0E, 3, dims, 8);
    expect_error(write_file("huge", buf, len, 0), "sizes in the header are too large");
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

/* data[0..len) as a gzip file's bytes, in out (at most cap); returns their count. */
static size_t gzipped(const unsigned char *data, size_t len, unsigned char *out, size_t cap)
{
    FILE *f = fopen(write_file("gzipped.gz", data, len, 1), "rb");
    cr_assert_not_null(f);
    const size_t n = fread(out, 1, cap, f);
    cr_assert(n > 0 && n < cap && feof(f));
    fclose(f);
    return n;
}

Test(data, reads_every_member_of_a_multi_member_gzip_file)
{
    const uint32_t dims[1] = { 300 };
    const size_t len = idx_bytes(buf, 0x08, 1, dims, 300);
    unsigned char gz[2048];
    size_t n = gzipped(buf, 100, gz, sizeof gz); /* the header and some data, then the rest */
    n += gzipped(buf + 100, len - 100, gz + n, sizeof gz - n);
    nn_array a;
    char err[256];
    cr_assert_eq(nn_idx_read(write_file("members.gz", gz, n, 0), &a, err, sizeof err), 0, "%s", err);
    cr_expect_eq(a.count, 300);
    cr_expect_eq(a.data[299], 299 * 7 % 256);
    nn_array_free(&a);
}

Test(data, rejects_bytes_after_the_gzip_data)
{
    const uint32_t dims[1] = { 40 };
    const size_t len = idx_bytes(buf, 0x08, 1, dims, 40);
    unsigned char gz[512];
    const size_t n = gzipped(buf, len, gz, sizeof gz);
    memcpy(gz + n, "garbage", 7);
    expect_error(write_file("garbage.gz", gz, n + 7, 0),
                 "bytes after the end of the gzip data (not another gzip member)");
    memset(gz + n, 0, 4);
    expect_error(write_file("zeros.gz", gz, n + 4, 0), "bytes after the end of the gzip data");
}

Test(data, rejects_a_gzip_stream_that_ends_early_or_fails_its_check)
{
    const uint32_t dims[1] = { 40 };
    const size_t len = idx_bytes(buf, 0x08, 1, dims, 40);
    unsigned char gz[512];
    const size_t n = gzipped(buf, len, gz, sizeof gz);
    expect_error(write_file("cut.gz", gz, n - 3, 0), "truncated gzip data (the file ends mid-stream)");
    gz[n - 6] ^= 0xff; /* the CRC-32 of the data */
    expect_error(write_file("crc.gz", gz, n, 0), "corrupt gzip data (incorrect data check)");
}

Test(data, refuses_a_header_that_claims_more_than_the_file_holds_before_allocating)
{
    const uint32_t dims[3] = { 0x7fffffffu, 1, 1 };
    const size_t len = idx_bytes(buf, 0x08, 3, dims, 0);
    cr_assert_eq(len, 16);
    expect_error(write_file("claims", buf, len, 0), "truncated: header promises 2147483647 data bytes, file has 0");
    /* gzipped, the size is unknown until read: the buffer grows with the data, so this fails small */
    expect_error(write_file("claims.gz", buf, len, 1), "truncated: header promises 2147483647 data bytes, file has 0");
}

Test(data, rejects_missing_files)
{
    char path[128];
    snprintf(path, sizeof path, "%s/none", dir);
    expect_error(path, "cannot open");
}

Test(data, reads_an_idx_directory_as_a_source)
{
    const uint32_t images[3] = { 3, 2, 2 }, labels[1] = { 3 };
    size_t len = idx_bytes(buf, 0x08, 3, images, 12);
    write_file("train-images-idx3-ubyte.gz", buf, len, 1);
    len = idx_bytes(buf, 0x08, 1, labels, 3);
    write_file("train-labels-idx1-ubyte", buf, len, 0);
    const nn_source_options o = { .path = dir };
    nn_data_format f;
    nn_split s;
    char err[4352];
    cr_assert_eq(nn_source_detect(&o, &f, err, sizeof err), 0, "%s", err);
    cr_expect_eq(f, NN_FORMAT_IDX);
    cr_assert_eq(nn_source_read(&o, f, 1, &s, err, sizeof err), 0, "%s", err);
    cr_expect_eq(s.x.dims[0], 3);
    cr_expect_eq(s.x.count, 12);
    cr_expect_float_eq(s.x_scale, 1 / 255.0f, 0);
    cr_expect_eq(nn_array_at(&s.x, 11), 11 * 7 % 256);
    cr_expect_eq(nn_array_at(&s.labels, 2), 14);
    nn_split_free(&s);
}

/* Targets in the form each task takes, and one line naming the record for what it cannot take. */
Test(data, targets_are_checked_against_the_task)
{
    double values[6] = { 0, 2, 1, 3, 1, 0 };
    nn_array labels = { .dtype = NN_F64, .ndims = 1, .dims = { 6 }, .count = 6, .data = (unsigned char *)values };
    nn_dataset ds = { .count = 6 };
    char err[512];
    cr_assert_eq(nn_dataset_set_targets(&ds, &labels, NN_TASK_CLASS, 4, "y", err, sizeof err), 0, "%s", err);
    cr_expect_eq(ds.target_size, 1);
    cr_expect_float_eq(ds.y[3], 3.0f, 0);
    cr_assert_eq(nn_dataset_set_targets(&ds, &labels, NN_TASK_CLASS, 3, "y", err, sizeof err), -1);
    cr_expect_str_eq(err, "y: record 3: label 3, but the model has 3 outputs (classes 0 to 2)");
    cr_assert_eq(nn_dataset_set_targets(&ds, &labels, NN_TASK_BINARY, 1, "y", err, sizeof err), -1);
    cr_expect_str_eq(err, "y: record 1: label 2 is not 0 or 1 (binary_cross_entropy takes 0/1 labels)");
    labels.ndims = 2, labels.dims[0] = 3, labels.dims[1] = 2;
    ds.count = 3;
    cr_assert_eq(nn_dataset_set_targets(&ds, &labels, NN_TASK_REGRESSION, 2, "y", err, sizeof err), 0, "%s", err);
    cr_expect_eq(ds.target_size, 2);
    cr_assert_eq(nn_dataset_set_targets(&ds, &labels, NN_TASK_REGRESSION, 3, "y", err, sizeof err), -1);
    cr_expect_str_eq(err, "y: 2 target values per record, but regression with 3 outputs takes 3");
    values[4] = 0.5;
    cr_assert_eq(nn_dataset_set_targets(&ds, &labels, NN_TASK_CLASS, 9, "y", err, sizeof err), -1);
    cr_expect_str_eq(err, "y: 2 target values per record, but classification with 9 outputs takes 1 (a class index)");
    nn_dataset_free(&ds);
}

Test(data, normalization_is_per_channel)
{
    /* two images of two channels of two values: channel 0 holds 0, 0.1, 0.2, 0.3; channel 1 holds 1, 2, 2, 3 */
    float x[8] = { 0, 0.1f, 1, 2, 0.2f, 0.3f, 2, 3 };
    nn_dataset ds = { .count = 2, .channels = 2, .height = 1, .width = 2, .sample_size = 4, .x_scale = 1.0f,
                      .x = { .dtype = NN_F32, .ndims = 2, .dims = { 2, 4 }, .count = 8, .data = (unsigned char *)x },
                      .std = { 1, 1 } };
    const uint32_t all[2] = { 0, 1 };
    double mean[2], std[2];
    nn_dataset_stats(&ds, all, 2, mean, std);
    cr_expect_float_eq(mean[0], 0.15, 1e-6);
    cr_expect_float_eq(mean[1], 2.0, 1e-6);
    cr_expect_float_eq(std[0], sqrt(0.0125), 1e-6);
    nn_dataset_normalize(&ds, mean, std);
    float read[8];
    nn_dataset_read(&ds, all, 2, read);
    cr_expect_float_eq(read[0], (float)(-0.15 / sqrt(0.0125)), 1e-6);
    cr_expect_float_eq(read[7], (float)(1.0 / std[1]), 1e-6);
    double sum[2] = { 0 };
    for (int i = 0; i < 8; ++i) sum[i % 4 / 2] += read[i];
    for (int c = 0; c < 2; ++c) cr_expect_float_eq(sum[c], 0.0, 1e-5, "channel %d mean", c);
}

/* --resize: 8-bit records stored at 2x2 read at 4x4, as PIL's bilinear
 * resize gives them (Image.resize((4, 4), Image.BILINEAR): the values below);
 * the statistics are of the records as stored. */
Test(data, resize_reads_records_as_pil_resizes_them)
{
    /* two records of two channels: record 0 constant 40 and 200, record 1 a checkerboard of 0 and 255 */
    unsigned char x[16] = { 40, 40, 40, 40, 200, 200, 200, 200, 0, 255, 255, 0, 255, 0, 0, 255 };
    static const float pil[16] = { 0, 64, 191, 255, 64, 96, 159, 191, 191, 159, 96, 64, 255, 191, 64, 0 };
    nn_dataset ds = { .count = 2, .channels = 2, .height = 4, .width = 4, .sample_size = 32, .in_height = 2,
                      .in_width = 2, .x_scale = 1.0f / 255,
                      .x = { .dtype = NN_U8, .ndims = 4, .dims = { 2, 2, 2, 2 }, .count = 16, .data = x },
                      .std = { 1, 1 } };
    const uint32_t all[2] = { 0, 1 }, second = 1;
    double mean[2], std[2];
    nn_dataset_stats(&ds, all, 2, mean, std);
    cr_expect_float_eq(mean[0], (4 * 40 + 2 * 255) / (8 * 255.0), 1e-6);
    cr_expect_float_eq(mean[1], (4 * 200 + 2 * 255) / (8 * 255.0), 1e-6);
    float read[2 * 32];
    nn_dataset_read(&ds, all, 2, read);
    for (int j = 0; j < 16; ++j) {
        cr_expect_float_eq(read[j], 40 / 255.0f, 1e-6, "record 0, channel 0, pixel %d", j);
        cr_expect_float_eq(read[16 + j], 200 / 255.0f, 1e-6, "record 0, channel 1, pixel %d", j);
        cr_expect_float_eq(read[32 + j], pil[j] / 255.0f, 1e-6, "record 1, channel 0, pixel %d", j);
        cr_expect_float_eq(read[48 + j], (255 - pil[j]) / 255.0f, 1e-6, "record 1, channel 1, pixel %d", j);
    }
    nn_dataset_normalize(&ds, mean, std);
    nn_dataset_read(&ds, &second, 1, read);
    cr_expect_float_eq(read[1], (float)((64 / 255.0 - mean[0]) / std[0]), 1e-5, "normalized after resizing");
}

/* count CIFAR-10 records with label i % 10 and pixel bytes (i + j) % 256 */
static void cifar_records(unsigned char *out, int count, int bad_label_at)
{
    for (int i = 0; i < count; ++i) {
        unsigned char *r = out + (size_t)i * 3073;
        r[0] = (unsigned char)(i == bad_label_at ? 12 : i % 10);
        for (int j = 0; j < 3072; ++j) r[1 + j] = (unsigned char)((i + j) % 256);
    }
}

static unsigned char cifar_buf[4 * 3073];

Test(data, reads_cifar10_batches)
{
    cifar_records(cifar_buf, 3, -1);
    write_file("data_batch_1.bin", cifar_buf, 3 * 3073, 0);
    cifar_records(cifar_buf, 2, -1);
    write_file("data_batch_2.bin", cifar_buf, 2 * 3073, 0);
    write_file("test_batch.bin", cifar_buf, 3073, 0);
    nn_array x, y;
    char err[4352];
    cr_assert_eq(nn_cifar10_load_dir(dir, 1, &x, &y, err, sizeof err), 0, "%s", err);
    cr_expect_eq(x.dims[0], 5);
    cr_expect_eq(x.dims[1], 3);
    cr_expect_eq(x.dims[2], 32);
    cr_expect_eq(x.count, 5 * 3072);
    cr_expect_eq(nn_array_at(&y, 2), 2);
    cr_expect_eq(nn_array_at(&y, 4), 1); /* second file, second record */
    cr_expect_eq(nn_array_at(&x, 1 * 3072 + 1024), (1 + 1024) % 256, "green plane of record 1");
    nn_array_free(&x);
    nn_array_free(&y);
    cr_assert_eq(nn_cifar10_load_dir(dir, 0, &x, &y, err, sizeof err), 0, "%s", err);
    cr_expect_eq(x.dims[0], 1);
    nn_array_free(&x);
    nn_array_free(&y);
}

Test(data, rejects_truncated_mislabelled_and_directory_cifar10)
{
    nn_array x = { 0 }, y = { 0 };
    char err[4352];
    cifar_records(cifar_buf, 2, -1);
    const char *path = write_file("data_batch_1.bin", cifar_buf, 2 * 3073 - 100, 0);
    cr_assert_eq(nn_cifar10_append(path, &x, &y, err, sizeof err), -1);
    cr_expect(strstr(err, "6046 bytes is not a whole number of 3073-byte CIFAR-10 records") != NULL, "%s", err);
    cifar_records(cifar_buf, 3, 1);
    path = write_file("data_batch_1.bin", cifar_buf, 3 * 3073, 0);
    cr_assert_eq(nn_cifar10_append(path, &x, &y, err, sizeof err), -1);
    cr_expect(strstr(err, "record 1 has label 12 (CIFAR-10 labels are 0 to 9)") != NULL, "%s", err);
    cr_expect_eq(x.count, 0);
    nn_array_free(&x);
    nn_array_free(&y);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/none", dir);
    cr_assert_eq(nn_cifar10_load_dir(missing, 0, &x, &y, err, sizeof err), -1);
    cr_expect(strstr(err, "/none/test_batch.bin: cannot open") != NULL, "%s", err);
    /* a directory opens, and its size would read as LLONG_MAX bytes */
    char batch_dir[160];
    snprintf(batch_dir, sizeof batch_dir, "%s/test_batch.bin", dir);
    cr_assert_eq(mkdir(batch_dir, 0777), 0);
    cr_assert_eq(nn_cifar10_load_dir(dir, 0, &x, &y, err, sizeof err), -1);
    cr_expect(strstr(err, "/test_batch.bin: a directory, not a file") != NULL, "%s", err);
}

Test(data, augmentation_crops_flips_and_repeats_from_the_seed)
{
    enum { C = 2, H = 4, W = 5 };
    float img[C * H * W], orig[C * H * W], again[C * H * W], scratch[C * H * W];
    const float fill[2] = { -7, -9 };
    for (int i = 0; i < C * H * W; ++i) orig[i] = (float)i;
    /* a flip alone mirrors every row (or leaves the image as it is) */
    const nn_augment flip = { .flip = 1 };
    nn_rng r;
    nn_rng_seed(&r, 3);
    int flipped = 0;
    for (int k = 0; k < 20; ++k) {
        memcpy(img, orig, sizeof img);
        nn_augment_image(&flip, img, C, H, W, fill, &r, scratch);
        const int mirrored = img[0] == orig[W - 1];
        flipped += mirrored;
        for (int c = 0; c < C; ++c)
            for (int h = 0; h < H; ++h)
                for (int w = 0; w < W; ++w)
                    cr_assert_eq(img[(c * H + h) * W + w], orig[(c * H + h) * W + (mirrored ? W - 1 - w : w)]);
    }
    cr_expect(flipped > 3 && flipped < 17, "%d flips in 20", flipped);
    /* a crop is a shift with the padding filled per channel; the same seed gives the same crop */
    const nn_augment crop = { .crop_pad = 2 };
    nn_rng_seed(&r, 4);
    memcpy(img, orig, sizeof img);
    nn_augment_image(&crop, img, C, H, W, fill, &r, scratch);
    nn_rng_seed(&r, 4);
    memcpy(again, orig, sizeof again);
    nn_augment_image(&crop, again, C, H, W, fill, &r, scratch);
    cr_expect_arr_eq(img, again, sizeof img);
    for (int c = 0; c < C; ++c)
        for (int i = 0; i < H * W; ++i) {
            const float v = img[c * H * W + i];
            cr_expect(v == fill[c] || (v >= c * H * W && v < (c + 1) * H * W), "channel %d holds %g", c, v);
        }
}
