/* The .npy and .npz readers on files numpy writes (tests/write_npy_fixtures.py):
 * every dtype in both byte orders, C and Fortran order, format versions 1.0,
 * 2.0 and 3.0, compared element by element; npz stored, deflated and zip64.
 * Then malformed files, each refused with a one-line error naming the file
 * and the problem. */
#include "helpers.h"
#include "npy.h"
#include "npz.h"

#ifndef PYTHON
#define PYTHON "/usr/bin/python3"
#endif

static char dir[64];
static const char *const CODES[] = { "b1", "u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8" };

static void setup_numpy(void)
{
    make_dir(dir, sizeof dir, "npy");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s tests/write_npy_fixtures.py %s", PYTHON, dir);
    cr_assert_eq(system(cmd), 0, "%s failed (is python3-numpy installed?)", cmd);
}
static void setup_plain(void) { make_dir(dir, sizeof dir, "npy"); }
static void teardown(void) { remove_dir(dir); }

TestSuite(npy, .init = setup_numpy, .fini = teardown);
TestSuite(npz, .init = setup_numpy, .fini = teardown);
TestSuite(npy_errors, .init = setup_plain, .fini = teardown);

/* Element i (C order) of the fixtures' arrays, as value() in the script computes it. */
static double expected(size_t i, const char *code)
{
    const int size = code[1] - '0';
    if (code[0] == 'b') return i % 3 == 0;
    if (code[0] == 'f') return ((double)i - 7) * 0.25;
    const uint64_t scale = size == 2 ? 1237 : size == 4 ? 100003 : 1000000007;
    const uint64_t u = size == 1 ? i * 37 % 251 : i * scale;
    if (code[0] == 'u') return (double)u;
    const double m = (double)(size == 1 ? u % 120 : u);
    return i % 2 ? -m : m;
}

static void expect_values(const nn_array *a, const char *code, const char *what)
{
    for (size_t i = 0; i < a->count; ++i)
        cr_expect_eq(nn_array_at(a, i), expected(i, code), "%s element %zu: %g, expected %g", what, i,
                     nn_array_at(a, i), expected(i, code));
}

static const char *path_of(const char *name)
{
    static char path[192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* One fixture of the matrix: dtype code, big-endian, Fortran order, format major version. */
static void check_matrix_file(int code, int big, int fortran, int major)
{
    char name[64], err[256];
    snprintf(name, sizeof name, "%s_%c_%c_%d.npy", CODES[code], big ? 'B' : 'L', fortran ? 'F' : 'C', major);
    nn_array a;
    cr_assert_eq(nn_npy_read(path_of(name), &a, err, sizeof err), 0, "%s", err);
    cr_expect_eq(a.dtype, (nn_dtype)code, "%s: dtype %s", name, nn_dtype_name(a.dtype));
    cr_expect_eq(a.swap, big && CODES[code][1] != '1', "%s: swap %d", name, a.swap);
    cr_expect(a.ndims == 3 && a.dims[0] == 2 && a.dims[1] == 3 && a.dims[2] == 4 && a.count == 24, "%s: shape", name);
    if (fortran)
        cr_expect(a.owned != NULL && a.map == NULL, "%s: a Fortran array is copied", name);
    else
        cr_expect(a.owned == NULL && a.map != NULL && a.map_len > 0, "%s: a C array is mapped", name);
    expect_values(&a, CODES[code], name);
    nn_array_free(&a);
}

Test(npy, every_dtype_byte_order_layout_and_version)
{
    for (int code = 0; code < 12; ++code)
        for (int big = 0; big <= (CODES[code][1] != '1'); ++big)
            for (int fortran = 0; fortran <= 1; ++fortran)
                for (int major = 1; major <= 3; ++major) check_matrix_file(code, big, fortran, major);
}

/* Reads array name of an open archive and checks its shape and values. */
static void expect_member(nn_npz *z, const char *name, const char *code, int ndims, size_t d0, size_t d1,
                          int deflated)
{
    nn_array a;
    char err[256];
    cr_assert_eq(nn_npz_read(z, name, &a, err, sizeof err), 0, "%s", err);
    cr_expect_eq(a.ndims, ndims, "%s: %d dims", name, a.ndims);
    cr_expect(ndims == 0 || a.dims[0] == d0, "%s: dims[0] %zu", name, a.dims[0]);
    cr_expect(ndims < 2 || a.dims[1] == d1, "%s: dims[1] %zu", name, a.dims[1]);
    cr_expect(deflated ? a.owned != NULL : a.map != NULL || a.owned != NULL, "%s: owned or mapped", name);
    expect_values(&a, code, name);
    nn_array_free(&a);
}

static void check_savez(const char *file, int deflated)
{
    nn_npz z;
    char err[256];
    cr_assert_eq(nn_npz_open(path_of(file), &z, err, sizeof err), 0, "%s", err);
    cr_expect_eq(nn_npz_count(&z), 4);
    cr_expect_str_eq(nn_npz_name(&z, 0), "x_train");
    cr_expect_eq(nn_npz_find(&z, "y"), 1);
    cr_expect_eq(nn_npz_find(&z, "y.npy"), -1);
    expect_member(&z, "x_train", "f4", 2, 10, 3, deflated);
    expect_member(&z, "y", "u1", 1, 10, 0, deflated);
    expect_member(&z, "f", "i2", 2, 3, 4, deflated);
    nn_array s;
    cr_assert_eq(nn_npz_read(&z, "s", &s, err, sizeof err), 0, "%s", err);
    cr_expect(s.ndims == 0 && s.count == 1 && nn_array_at(&s, 0) == 3.5);
    nn_npz_close(&z);
    cr_expect_eq(nn_array_at(&s, 0), 3.5, "the array outlives its archive");
    nn_array_free(&s);
}

Test(npz, savez_stored_and_compressed)
{
    check_savez("stored.npz", 0);
    check_savez("deflated.npz", 1);
}

Test(npz, stored_members_are_mapped_not_copied)
{
    nn_npz z;
    nn_array a;
    char err[256];
    cr_assert_eq(nn_npz_open(path_of("stored.npz"), &z, err, sizeof err), 0, "%s", err);
    cr_assert_eq(nn_npz_read(&z, "x_train", &a, err, sizeof err), 0, "%s", err);
    cr_expect(a.map != NULL && a.owned == NULL);
    cr_expect(a.data >= (const unsigned char *)a.map && a.data + 120 <= (const unsigned char *)a.map + a.map_len);
    nn_npz_close(&z);
    expect_values(&a, "f4", "x_train after close");
    nn_array_free(&a);
}

Test(npz, zip64_members)
{
    static const char *const files[] = { "z64s.npz", "z64d.npz", "zip64_central.npz" };
    for (int f = 0; f < 3; ++f) {
        nn_npz z;
        char err[256];
        cr_assert_eq(nn_npz_open(path_of(files[f]), &z, err, sizeof err), 0, "%s", err);
        cr_assert_eq(nn_npz_count(&z), 1);
        expect_member(&z, nn_npz_name(&z, 0), "i4", 1, 6, 0, f == 1);
        nn_npz_close(&z);
    }
}

/* The one-line error of reading file (an .npy, or array member of an .npz). */
static void expect_error(const char *file, const char *member, const char *reason)
{
    char err[256] = "", prefix[256];
    const char *path = path_of(file);
    nn_array a;
    nn_npz z;
    int rc;
    if (!member) {
        rc = nn_npy_read(path, &a, err, sizeof err);
    } else if ((rc = nn_npz_open(path, &z, err, sizeof err)) == 0) {
        rc = nn_npz_read(&z, member, &a, err, sizeof err);
        nn_npz_close(&z);
    }
    cr_assert_eq(rc, -1, "%s was accepted", file);
    snprintf(prefix, sizeof prefix, "%s: ", path);
    cr_expect(strncmp(err, prefix, strlen(prefix)) == 0, "the message starts with the file: %s", err);
    cr_expect(strstr(err, reason) != NULL, "expected '%s' in: %s", reason, err);
    cr_expect(strchr(err, '\n') == NULL, "one line: %s", err);
}

Test(npz, broken_archives)
{
    expect_error("readme.npz", "README.txt", "member README.txt is not a .npy array");
    expect_error("truncated.npz", "x_train", "truncated");
    expect_error("crc.npz", "x_train", "member x_train.npy: CRC-32 mismatch");
    expect_error("encrypted.npz", "x_train", "member x_train.npy: encrypted members are not supported");
    expect_error("disks.npz", "x_train", "multi-disk archives are not supported");
    expect_error("bzip2.npz", "a", "member a.npy: unsupported compression method 12");
    expect_error("bad_member.npz", "bad", "member bad.npy: unsupported dtype '<U3'");
    expect_error("stored.npz", "nothing", "no array named 'nothing'");
    expect_error("b1_L_C_1.npy", "x", "not a zip archive");
}

Test(npz, a_good_member_of_an_archive_with_a_bad_one)
{
    nn_npz z;
    char err[256];
    cr_assert_eq(nn_npz_open(path_of("readme.npz"), &z, err, sizeof err), 0, "%s", err);
    expect_member(&z, "a", "u1", 1, 6, 0, 0);
    nn_npz_close(&z);
}

/* Writes a version major.0 .npy file: magic, header dict padded to 64 bytes, n data bytes. */
static const char *write_npy(const char *name, int major, const char *dict, size_t n)
{
    const char *path = path_of(name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    const size_t pre = major == 1 ? 10 : 12, hlen = (strlen(dict) + pre + 1 + 63) / 64 * 64 - pre;
    fwrite("\x93NUMPY", 1, 6, f);
    fputc(major, f), fputc(0, f), fputc((int)(hlen & 255), f), fputc((int)(hlen >> 8), f);
    if (major > 1) fputc(0, f), fputc(0, f);
    fprintf(f, "%-*s\n", (int)(hlen - 1), dict);
    for (size_t i = 0; i < n; ++i) fputc((int)(i * 13 % 256), f);
    cr_assert_eq(fclose(f), 0);
    return name;
}

static const char *write_raw(const char *name, const char *bytes, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    cr_assert_not_null(f);
    fwrite(bytes, 1, n, f);
    cr_assert_eq(fclose(f), 0);
    return name;
}

Test(npy_errors, unusual_but_valid_headers)
{
    static const char *const dicts[] = {
        "{ \"shape\" : ( 2 , 3 , ) , 'fortran_order':False,'descr':'<i2', }",
        "{'descr': '<i2', 'fortran_order': False, 'shape': (2L, 3L), }",
        "{'descr':'<i2','fortran_order':True,'shape':(6,)}",
    };
    for (int d = 0; d < 3; ++d) {
        nn_array a;
        char err[256];
        cr_assert_eq(nn_npy_read(path_of(write_npy("odd.npy", 2, dicts[d], 12)), &a, err, sizeof err), 0, "%s", err);
        cr_expect_eq(a.count, 6);
        nn_array_free(&a);
    }
    nn_array s;
    char err[256];
    cr_assert_eq(nn_npy_read(path_of(write_npy("s.npy", 1, "{'descr':'<f8','fortran_order':False,'shape':()}", 8)),
                             &s, err, sizeof err), 0, "%s", err);
    cr_expect(s.ndims == 0 && s.count == 1);
    nn_array_free(&s);
    cr_assert_eq(nn_npy_read(path_of(write_npy("e.npy", 1, "{'descr':'<f8','fortran_order':True,'shape':(0, 3)}", 0)),
                             &s, err, sizeof err), 0, "%s", err);
    cr_expect(s.count == 0 && s.dims[1] == 3);
    nn_array_free(&s);
}

#define DICT(descr, shape) "{'descr': '" descr "', 'fortran_order': False, 'shape': " shape ", }"

Test(npy_errors, malformed_arrays)
{
    expect_error(write_npy("short.npy", 1, DICT("<f4", "(10,)"), 32), NULL,
                 "truncated array: the shape needs 40 bytes of data, 32 present");
    expect_error(write_npy("long.npy", 1, DICT("<f4", "(2, 2)"), 17), NULL, "1 bytes of extra data after the array");
    expect_error(write_npy("u5.npy", 1, DICT("<U5", "(2,)"), 40), NULL, "unsupported dtype '<U5'");
    expect_error(write_npy("obj.npy", 1, DICT("|O", "(2,)"), 16), NULL, "unsupported dtype '|O'");
    expect_error(write_npy("c8.npy", 3, DICT("<c8", "(2,)"), 16), NULL, "unsupported dtype '<c8'");
    expect_error(write_npy("dt.npy", 1, DICT("<M8[ns]", "(2,)"), 16), NULL, "unsupported dtype '<M8[ns]'");
    expect_error(write_npy("rec.npy", 1, "{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, "
                                         "'shape': (1,)}", 12),
                 NULL, "unsupported dtype [('a', '<i4'), ('b', '<f8')]");
    expect_error(write_npy("neg.npy", 1, DICT("<f4", "(-1, 3)"), 0), NULL, "malformed shape: negative dimension");
    expect_error(write_npy("float.npy", 1, DICT("<f4", "(2.5,)"), 0), NULL,
                 "malformed shape: a dimension is not an integer");
    expect_error(write_npy("paren.npy", 1, DICT("<f4", "(5)"), 20), NULL, "malformed shape: (N) is not a tuple");
    expect_error(write_npy("list.npy", 1, DICT("<f4", "[5]"), 20), NULL, "malformed shape: not a tuple");
    expect_error(write_npy("huge.npy", 2, DICT("<f8", "(1073741824, 1073741824)"), 0), NULL, "array too large");
    expect_error(write_npy("deep.npy", 1, DICT("|u1", "(1,1,1,1,1,1,1,1,1)"), 1), NULL, "more than 8 dimensions");
}

Test(npy_errors, malformed_headers)
{
    expect_error(write_npy("garbage.npy", 1, "hello, world", 0), NULL, "header is not a dict literal");
    expect_error(write_npy("nokey.npy", 1, "{'descr': '<f4', 'fortran_order': False}", 0), NULL,
                 "header has no 'shape' key");
    expect_error(write_npy("extra.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", 4), NULL,
                 "unexpected key 'x' in the header");
    expect_error(write_npy("dup.npy", 1, "{'descr': '<f4', 'descr': '<f4'}", 0), NULL, "duplicate key 'descr'");
    expect_error(write_npy("fo.npy", 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", 4), NULL,
                 "'fortran_order' is not True or False");
    expect_error(write_npy("unclosed.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()", 4), NULL,
                 "malformed header dict");
    expect_error(write_npy("after.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", 4), NULL,
                 "unexpected text after the header dict");
    expect_error(write_raw("magic.npy", "\x93NUMPZ\x01\x00\x10\x00{}", 12), NULL, "bad magic (not a .npy file)");
    expect_error(write_raw("version.npy", "\x93NUMPY\x04\x00\x10\x00{}", 12), NULL,
                 "unsupported .npy format version 4.0");
    expect_error(write_raw("hlen.npy", "\x93NUMPY\x01\x00\x40\x00{'descr'", 18), NULL, "truncated header");
    expect_error(write_raw("cut.npy", "\x93NUMPY\x02\x00\x40", 9), NULL, "truncated header");
    expect_error(write_raw("empty.npy", "", 0), NULL, "empty file");
    expect_error(write_raw("empty.npz", "", 0), "x", "empty file");
}

Test(npy, truncated_numpy_file)
{
    const char *path = path_of("f8_L_C_1.npy");
    cr_assert_eq(truncate(path, 128 + 100), 0);
    expect_error("f8_L_C_1.npy", NULL, "truncated array: the shape needs 192 bytes of data, 100 present");
}
