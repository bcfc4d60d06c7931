/* The image decoders and the ImageFolder loader (runtime/image.c,
 * runtime/image_folder.c) against PIL: tests/tools/make_images.py writes
 * PNGs (gray, RGB, RGBA, gray+alpha, palette, 1-bit, 16-bit, interlaced) and
 * JPEGs (gray, RGB, progressive, CMYK) with what PIL's convert() and
 * resize(BILINEAR) make of them. PNGs must match exactly, resized or not
 * (the resize is PIL's integer arithmetic); JPEGs within 2, as PIL may link
 * another libjpeg (the largest differences are printed).
 * Then damaged files, and folders in torchvision's layout. */
#include "helpers.h"
#include "image.h"
#include "image_folder.h"

#include <limits.h>
#include <omp.h>
#include <sys/stat.h>
#include <zlib.h>

static char dir[64];

static void setup(void)
{
    char cmd[256];
    make_dir(dir, sizeof dir, "image");
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/tools/make_images.py %s", dir);
    cr_assert_eq(system(cmd), 0, "%s failed (python3-pil and python3-numpy installed?)", cmd);
}

static void teardown(void) { remove_dir(dir); }

TestSuite(image, .init = setup, .fini = teardown);

/* The contents of DIR/name (len bytes); the test fails without the file. */
static unsigned char *slurp(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *buf = malloc(*len + 1);
    cr_assert_eq(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

/* Writes the first `keep` bytes of buf as DIR/name (created folders included). */
static void spill(const char *name, const void *buf, size_t keep)
{
    char path[256], cmd[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    cr_assert_eq(system(cmd), 0);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(buf, 1, keep, f), keep);
    cr_assert_eq(fclose(f), 0);
}

/* Copies DIR/from to DIR/to, its first `keep` bytes only if keep < its size. */
static void copy(const char *from, const char *to, size_t keep)
{
    size_t len;
    unsigned char *buf = slurp(from, &len);
    spill(to, buf, keep < len ? keep : len);
    free(buf);
}

/* The largest difference from PIL over the cases of cases.txt whose file ends
 * with `suffix` and that are (or are not) at the file's own size. */
static int max_difference(const char *suffix, int resized)
{
    char line[256], file[64], expected[96], err[512];
    int channels, height, width, worst = -1;
    snprintf(line, sizeof line, "%s/cases.txt", dir);
    FILE *cases = fopen(line, "r");
    cr_assert_not_null(cases);
    while (fgets(line, sizeof line, cases)) {
        cr_assert_eq(sscanf(line, "%63s %d %d %d %95s", file, &channels, &height, &width, expected), 5);
        const int native = height == 17 && width == 23;
        if (strcmp(file + strlen(file) - strlen(suffix), suffix) != 0 || native == resized) continue;
        size_t len;
        unsigned char *want = slurp(expected, &len), *got = malloc(len);
        snprintf(line, sizeof line, "%s/%s", dir, file);
        cr_assert_eq(nn_image_load(line, channels, height, width, got, err, sizeof err), 0, "%s", err);
        cr_assert_eq(len, (size_t)channels * height * width);
        int most = 0;
        for (size_t i = 0; i < len; ++i) most = abs(got[i] - want[i]) > most ? abs(got[i] - want[i]) : most;
        if (most > worst) worst = most;
        cr_log_info("%s as %d x %d x %d: max difference %d", file, channels, height, width, most);
        free(want), free(got);
    }
    fclose(cases);
    cr_assert_geq(worst, 0, "no cases for %s", suffix);
    return worst;
}

Test(image, png_matches_pil_exactly_at_its_own_size)
{
    const int worst = max_difference(".png", 0);
    fprintf(stderr, "PNG vs PIL, own size: max difference %d\n", worst);
    cr_expect_eq(worst, 0);
}

Test(image, resized_png_matches_pil_exactly)
{
    const int worst = max_difference(".png", 1);
    fprintf(stderr, "PNG vs PIL, resized: max difference %d\n", worst);
    cr_expect_eq(worst, 0);
}

Test(image, jpeg_within_two_of_pil)
{
    const int own = max_difference(".jpg", 0), resized = max_difference(".jpg", 1);
    fprintf(stderr, "JPEG vs PIL: max difference %d at its own size, %d resized\n", own, resized);
    cr_expect_leq(own, 2);
    cr_expect_leq(resized, 2);
}

Test(image, decodes_memory_as_files_and_tells_formats_by_signature)
{
    copy("rgb.png", "really_png.jpg", SIZE_MAX);
    const char *names[] = { "rgb.png", "really_png.jpg", "rgb.jpg" };
    for (int i = 0; i < 3; ++i) {
        size_t len;
        unsigned char *buf = slurp(names[i], &len);
        char path[256], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        nn_image a, b;
        cr_assert_eq(nn_image_decode(buf, len, 3, names[i], &a, err, sizeof err), 0, "%s", err);
        cr_assert_eq(nn_image_read(path, 3, &b, err, sizeof err), 0, "%s", err);
        cr_expect(a.channels == 3 && a.height == 17 && a.width == 23);
        cr_expect_eq(memcmp(a.pixels, b.pixels, 3 * 17 * 23), 0, "%s", names[i]);
        nn_image_free(&a), nn_image_free(&b);
        free(buf);
    }
}

static void expect_error(const char *name, const char *reason)
{
    char path[256], err[512];
    nn_image im;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(nn_image_read(path, 3, &im, err, sizeof err), -1, "%s was accepted", name);
    cr_expect_null(im.pixels);
    cr_expect(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':', "the message names the file: %s", err);
    cr_expect(strstr(err, reason) != NULL, "expected '%s' in: %s", reason, err);
    cr_expect_null(strchr(err, '\n'), "one line: %s", err);
}

Test(image, damaged_files_are_errors)
{
    copy("rgb.png", "cut.png", 300);
    copy("interlaced.png", "cut_end.png", 1275 - 20);
    copy("rgb.jpg", "cut.jpg", 600);
    copy("progressive.jpg", "cut_progressive.jpg", 500);
    spill("text.png", "just some text\n", 15);
    spill("empty.png", "", 0);
    size_t len;
    unsigned char *png = slurp("rgb.png", &len);
    png[60] ^= 0x40; /* inside the IDAT chunk: its CRC no longer matches */
    spill("crc.png", png, len);
    free(png);
    expect_error("cut.png", "truncated PNG");
    expect_error("cut_end.png", "truncated PNG");
    expect_error("cut.jpg", "truncated JPEG");
    expect_error("cut_progressive.jpg", "truncated JPEG");
    expect_error("text.png", "not a PNG or JPEG image");
    expect_error("empty.png", "empty file");
    expect_error("crc.png", "corrupt PNG");
    expect_error("missing.png", "cannot open");
}

static void put_be32_at(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

Test(image, huge_headers_are_refused_before_decoding)
{
    size_t len;
    unsigned char *png = slurp("rgb.png", &len);
    put_be32_at(png + 16, 60000), put_be32_at(png + 20, 60000); /* IHDR width and height */
    put_be32_at(png + 29, (uint32_t)crc32(0, png + 12, 17));
    spill("huge.png", png, len);
    free(png);
    unsigned char *jpg = slurp("rgb.jpg", &len);
    size_t sof = 2;
    while (sof + 9 < len && !(jpg[sof] == 0xff && jpg[sof + 1] == 0xc0)) ++sof;
    cr_assert_lt(sof + 9, len, "no SOF0 marker");
    jpg[sof + 5] = jpg[sof + 7] = 0xea, jpg[sof + 6] = jpg[sof + 8] = 0x60; /* 60000 x 60000 */
    spill("huge.jpg", jpg, len);
    free(jpg);
    expect_error("huge.png", "too large");
    expect_error("huge.jpg", "too large");
}

Test(image, resize_of_a_plain_image_is_pil_bilinear)
{
    /* 4 -> 2 wide, a triangle 2 inputs wide each side: output 0 centred at 1.0
     * sees inputs 0..2 weighted 3/7, 3/7, 1/7 (its window is cut at the edge),
     * output 1 centred at 3.0 sees inputs 1..3 weighted 1/7, 3/7, 3/7 (as PIL) */
    uint8_t px[4] = { 0, 100, 200, 40 }, out[2];
    nn_image im = { .channels = 1, .height = 1, .width = 4, .pixels = px };
    cr_assert_eq(nn_image_resize(&im, 1, 2, out), 0);
    cr_expect_eq(out[0], 71);  /* 500 / 7 */
    cr_expect_eq(out[1], 117); /* 820 / 7 */
}

/* ---- folders */

static nn_image_options options = { .channels = 3, .height = 8, .width = 10 };

static int load(const char *sub, nn_image_set *s, char *err, size_t errlen)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    return nn_image_folder_load(path, &options, s, err, errlen);
}

/* train/: bird (2 images), cat (3, one nested, one .JPG), dog (1); hidden and other files around them. */
static void make_train(void)
{
    copy("rgb.png", "train/cat/b.png", SIZE_MAX);
    copy("gray.jpg", "train/cat/A.JPG", SIZE_MAX);
    copy("palette.png", "train/cat/sub/a.png", SIZE_MAX);
    copy("rgb.jpg", "train/cat/.hidden.png", SIZE_MAX);
    spill("train/cat/notes.txt", "notes", 5);
    copy("rgba.png", "train/bird/x.jpeg", SIZE_MAX);
    copy("la.png", "train/bird/y.png", SIZE_MAX);
    copy("cmyk.jpg", "train/dog/z.jpg", SIZE_MAX);
    copy("rgb.png", "train/.git/c.png", SIZE_MAX);
    spill("train/README", "readme", 6);
}

Test(image, folder_classes_files_and_labels_in_torchvision_order)
{
    make_train();
    nn_image_set s;
    char err[512];
    cr_assert_eq(load("train", &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.n_classes, 3);
    cr_expect_str_eq(s.class_names[0], "bird");
    cr_expect_str_eq(s.class_names[1], "cat");
    cr_expect_str_eq(s.class_names[2], "dog");
    const char *names[] = { "bird/x.jpeg", "bird/y.png", "cat/A.JPG", "cat/b.png", "cat/sub/a.png", "dog/z.jpg" };
    const int labels[] = { 0, 0, 1, 1, 1, 2 };
    cr_assert_eq(s.count, 6);
    for (int i = 0; i < 6; ++i) {
        cr_expect_str_eq(s.names[i], names[i]);
        cr_expect_eq(s.labels[i], labels[i], "%s", names[i]);
    }
    cr_expect_eq(s.ignored, 1, "notes.txt");
    cr_expect_eq(s.skipped, 0);
    cr_expect(s.x.dtype == NN_U8 && s.x.ndims == 4 && s.x.dims[0] == 6 && s.x.dims[1] == 3 && s.x.dims[2] == 8 &&
              s.x.dims[3] == 10 && s.x.count == 6 * 240);
    char path[256];
    uint8_t want[240];
    snprintf(path, sizeof path, "%s/train/cat/b.png", dir);
    cr_assert_eq(nn_image_load(path, 3, 8, 10, want, err, sizeof err), 0, "%s", err);
    cr_expect_eq(memcmp(s.x.data + 3 * 240, want, 240), 0, "image 3 is cat/b.png");
    nn_image_set_free(&s);
}

static void expect_folder_error(const char *sub, const char *reason)
{
    nn_image_set s;
    char err[512];
    cr_assert_eq(load(sub, &s, err, sizeof err), -1, "%s was accepted", sub);
    cr_expect(strstr(err, reason) != NULL, "expected '%s' in: %s", reason, err);
    cr_expect_null(strchr(err, '\n'), "one line: %s", err);
    cr_expect_null(s.names);
}

Test(image, folder_errors)
{
    make_train();
    char want[256];
    expect_folder_error("none", "/none: no such folder");
    expect_folder_error("rgb.png", "/rgb.png: not a folder");
    expect_folder_error("train/dog", "/train/dog: no class folders");
    cr_assert_eq(mkdir(strcat(strcpy(want, dir), "/train/empty"), 0755), 0);
    expect_folder_error("train", "/train/empty: no .png/.jpg/.jpeg images (0 hidden files skipped");
    copy("rgb.png", "train/empty/.a.png", SIZE_MAX);
    copy("rgb.png", "train/empty/.b.png", SIZE_MAX);
    expect_folder_error("train", "/train/empty: no .png/.jpg/.jpeg images (2 hidden files skipped");
    spill("train/empty/a.txt", "a", 1);
    expect_folder_error("train", "/train/empty: no .png/.jpg/.jpeg images (2 hidden files skipped, 1 other files "
                                 "ignored)");
}

Test(image, bad_files_name_the_first_in_file_order_or_are_skipped)
{
    make_train();
    copy("rgb.png", "train/cat/c_cut.png", 300);
    copy("rgb.jpg", "train/dog/cut.jpg", 600);
    spill("train/bird/text.png", "not an image\n", 13);
    char want[256], err[512];
    nn_image_set s;
    snprintf(want, sizeof want, "%s/train/bird/text.png: not a PNG or JPEG image", dir);
    expect_folder_error("train", want);
    options.skip_bad = 1;
    cr_assert_eq(load("train", &s, err, sizeof err), 0, "%s", err);
    cr_expect_eq(s.skipped, 3);
    cr_expect_eq(s.count, 6);
    cr_expect_eq(s.x.dims[0], 6);
    cr_expect_str_eq(s.names[2], "cat/A.JPG");
    cr_expect_str_eq(s.names[5], "dog/z.jpg");
    cr_expect_eq(s.labels[5], 2);
    nn_image_set_free(&s);
    options.skip_bad = 0;
    remove_dir(strcat(strcpy(err, dir), "/train/bird/text.png"));
    snprintf(want, sizeof want, "%s/train/cat/c_cut.png: truncated PNG", dir);
    expect_folder_error("train", want);
    remove_dir(strcat(strcpy(err, dir), "/train/cat/c_cut.png"));
    snprintf(want, sizeof want, "%s/train/dog/cut.jpg: truncated JPEG", dir);
    expect_folder_error("train", want);
}

Test(image, parallel_load_equals_single_threaded)
{
    make_train();
    for (int i = 0; i < 12; ++i) {
        char name[64];
        snprintf(name, sizeof name, "train/dog/%02d.png", i);
        copy(i % 2 ? "interlaced.png" : "rgb16.png", name, SIZE_MAX);
    }
    nn_image_set one, two;
    char err[512];
    omp_set_num_threads(1);
    cr_assert_eq(load("train", &one, err, sizeof err), 0, "%s", err);
    omp_set_num_threads(2);
    cr_assert_eq(load("train", &two, err, sizeof err), 0, "%s", err);
    cr_assert_eq(one.count, 18);
    cr_assert_eq(two.count, 18);
    cr_expect_eq(memcmp(one.x.data, two.x.data, one.x.count), 0);
    for (size_t i = 0; i < one.count; ++i) cr_expect_str_eq(one.names[i], two.names[i]);
    nn_image_set_free(&one), nn_image_set_free(&two);
}

Test(image, unlabelled_file_or_flat_folder)
{
    copy("rgb.png", "new/b.png", SIZE_MAX);
    copy("gray.jpg", "new/a.jpg", SIZE_MAX);
    copy("gray.jpg", "new/.c.jpg", SIZE_MAX);
    copy("gray.jpg", "new/sub/d.jpg", SIZE_MAX);
    nn_image_set s;
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/new", dir);
    cr_assert_eq(nn_image_files_load(path, &options, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.count, 2);
    cr_expect_str_eq(s.names[0], "a.jpg");
    cr_expect_str_eq(s.names[1], "b.png");
    cr_expect_null(s.labels);
    cr_expect_eq(s.n_classes, 0);
    cr_expect_eq(s.ignored, 1, "the subfolder");
    nn_image_set_free(&s);
    snprintf(path, sizeof path, "%s/new/b.png", dir);
    cr_assert_eq(nn_image_files_load(path, &options, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.count, 1);
    cr_expect_str_eq(s.names[0], path);
    nn_image_set_free(&s);
    snprintf(path, sizeof path, "%s/new/sub/none.png", dir);
    cr_expect_eq(nn_image_files_load(path, &options, &s, err, sizeof err), -1);
    cr_expect(strstr(err, "none.png: no such file or folder") != NULL, "%s", err);
}
