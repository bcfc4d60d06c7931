#include "image.h"

#include "regular_file.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#define MAX_FILE_BYTES ((size_t)1 << 30)
#define JPEG_BYTES_PER_PIXEL 8                /* libjpeg's memory limit: 4 components of 2-byte coefficients */
#define JPEG_MAX_SCANS 500 /* real progressive files have about 10; thousands of tiny scans take minutes */

/* Pixels as a decoder delivers them: interleaved, k = 1 (gray), 3 (RGB) or 4 (CMYK). */
typedef struct {
    int k, height, width;
    uint8_t *data;
} decoded;

static int too_large(char *why, size_t whylen, size_t width, size_t height)
{
    if (width * height <= NN_IMAGE_MAX_PIXELS) return 0;
    snprintf(why, whylen, "image of %zux%zu pixels is too large (limit %zu pixels)", width, height,
             (size_t)NN_IMAGE_MAX_PIXELS);
    return 1;
}

/* ---- PNG: libpng reading from memory, errors longjmp back with a message */

typedef struct {
    const unsigned char *buf;
    size_t len, pos;
    char msg[200]; /* the final message, when set before png_error */
} png_source;

static void png_fail(png_structp png, png_const_charp msg)
{
    png_source *src = png_get_error_ptr(png);
    if (!src->msg[0]) snprintf(src->msg, sizeof src->msg, "corrupt PNG (%s)", msg);
    png_longjmp(png, 1);
}

static void png_ignore_warning(png_structp png, png_const_charp msg)
{
    (void)png, (void)msg;
}

static void png_read_mem(png_structp png, png_bytep out, size_t n)
{
    png_source *src = png_get_io_ptr(png);
    if (n > src->len - src->pos) {
        snprintf(src->msg, sizeof src->msg, "truncated PNG (the data ends early)");
        png_error(png, "truncated");
    }
    memcpy(out, src->buf + src->pos, n);
    src->pos += n;
}

/* The ancillary chunks libpng knows (text, ICC profile, gamma, transparency...):
 * none changes what PIL's convert() makes of the pixels, so libpng skips them
 * unread. Parsed, a corrupt one makes libpng allocate the length it declares
 * (up to 2 GB: its length check is only a warning). */
static const png_byte ignored_chunks[] = "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0"
                                         "sBIT\0sCAL\0sPLT\0sRGB\0sTER\0tEXt\0tIME\0tRNS\0zTXt";

/* Transforms to 8-bit gray or RGB without alpha, after checking the size. */
static void png_setup(png_structp png, png_infop info, png_source *src)
{
    png_read_info(png, info);
    const size_t width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if (too_large(src->msg, sizeof src->msg, width, height)) png_error(png, "too large");
    if (png_get_bit_depth(png, info) == 16) png_set_strip_16(png); /* the high byte, as PIL */
    png_set_expand_gray_1_2_4_to_8(png);
    png_set_palette_to_rgb(png);
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const int k = png_get_channels(png, info);
    if ((k != 1 && k != 3) || png_get_bit_depth(png, info) != 8) png_error(png, "unsupported pixel layout");
}

static int png_decode(const unsigned char *buf, size_t len, decoded *out, char *why, size_t whylen)
{
    png_source src = { .buf = buf, .len = len };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_fail, png_ignore_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        snprintf(why, whylen, "%s", src.msg);
        return -1;
    }
    png_set_read_fn(png, &src, png_read_mem);
    png_set_user_limits(png, NN_IMAGE_MAX_PIXELS, NN_IMAGE_MAX_PIXELS);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, ignored_chunks, (int)sizeof ignored_chunks / 5);
    png_setup(png, info, &src);
    const size_t height = png_get_image_height(png, info), stride = png_get_rowbytes(png, info);
    pixels = malloc(height * stride);
    rows = malloc(height * sizeof *rows);
    if (!pixels || !rows) {
        snprintf(src.msg, sizeof src.msg, "out of memory");
        png_error(png, "out of memory");
    }
    for (size_t y = 0; y < height; ++y) rows[y] = pixels + y * stride;
    png_read_image(png, rows);
    png_read_end(png, NULL); /* checks the last chunks' CRCs: a cut-off file fails here */
    *out = (decoded){ .k = png_get_channels(png, info), .height = (int)height,
                      .width = (int)png_get_image_width(png, info), .data = pixels };
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

/* ---- JPEG: libjpeg reading from memory; errors and corrupt-data warnings longjmp back */

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX + 64];
} jpeg_failure;

static void jpeg_fail(j_common_ptr cinfo)
{
    jpeg_failure *f = (jpeg_failure *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    snprintf(f->msg, sizeof f->msg, "%s JPEG (%s)", cinfo->err->msg_code == JWRN_JPEG_EOF ? "truncated" : "corrupt",
             text);
    longjmp(f->jump, 1);
}

/* Warnings about damaged data are errors: libjpeg would pad the image with gray. */
static void jpeg_warning(j_common_ptr cinfo, int level)
{
    static const int damage[] = { JWRN_JPEG_EOF,   JWRN_HIT_MARKER,     JWRN_MUST_RESYNC,
                                  JWRN_HUFF_BAD_CODE, JWRN_ARITH_BAD_CODE, JWRN_BOGUS_PROGRESSION };
    if (level >= 0) return;
    for (size_t i = 0; i < sizeof damage / sizeof *damage; ++i)
        if (cinfo->err->msg_code == damage[i]) jpeg_fail(cinfo);
}

static void jpeg_refuse(j_decompress_ptr cinfo, const char *why)
{
    jpeg_failure *f = (jpeg_failure *)cinfo->err;
    snprintf(f->msg, sizeof f->msg, "%s", why);
    longjmp(f->jump, 1);
}

/* libjpeg's progress hook, called while it reads the scans of a progressive file. */
static void jpeg_limit_scans(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > JPEG_MAX_SCANS) jpeg_refuse(d, "corrupt JPEG (more than 500 scans)");
}

/* Chooses the output color space (gray, RGB or CMYK) after checking the header. */
static void jpeg_setup(j_decompress_ptr cinfo)
{
    char why[160];
    if (too_large(why, sizeof why, cinfo->image_width, cinfo->image_height)) jpeg_refuse(cinfo, why);
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo->out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK:
    case JCS_YCCK: cinfo->out_color_space = JCS_CMYK; break;
    case JCS_RGB:
    case JCS_YCbCr: cinfo->out_color_space = JCS_RGB; break;
    default:
        snprintf(why, sizeof why, "unsupported JPEG color space (%d components, not gray, RGB, YCbCr, CMYK or YCCK)",
                 cinfo->num_components);
        jpeg_refuse(cinfo, why);
    }
}

static int jpeg_decode(const unsigned char *buf, size_t len, decoded *out, char *why, size_t whylen)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_failure failure = { .msg = "" };
    struct jpeg_progress_mgr progress = { .progress_monitor = jpeg_limit_scans };
    uint8_t *volatile pixels = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&failure.pub);
    failure.pub.error_exit = jpeg_fail;
    failure.pub.emit_message = jpeg_warning;
    if (setjmp(failure.jump)) {
        free(pixels);
        jpeg_destroy_decompress(&cinfo);
        snprintf(why, whylen, "%s", failure.msg);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = (long)(NN_IMAGE_MAX_PIXELS * JPEG_BYTES_PER_PIXEL);
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, buf, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    jpeg_setup(&cinfo);
    jpeg_start_decompress(&cinfo);
    const size_t stride = (size_t)cinfo.output_width * cinfo.output_components;
    pixels = malloc(stride * cinfo.output_height);
    if (!pixels) jpeg_refuse(&cinfo, "out of memory");
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    *out = (decoded){ .k = cinfo.output_components, .height = (int)cinfo.output_height,
                      .width = (int)cinfo.output_width, .data = pixels };
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

/* ---- conversion to gray or RGB planes, as PIL's convert() */

static uint8_t luma(const uint8_t *rgb)
{
    return (uint8_t)((rgb[0] * 19595 + rgb[1] * 38470 + rgb[2] * 7471 + 0x8000) >> 16);
}

/* PIL's cmyk2rgb on the inverted samples of an Adobe CMYK JPEG (PIL reads every CMYK JPEG as "CMYK;I"). */
static void cmyk_to_rgb(const uint8_t *cmyk, uint8_t *rgb)
{
    const int nk = cmyk[3];
    for (int c = 0; c < 3; ++c) {
        const int t = (255 - cmyk[c]) * nk + 128;
        rgb[c] = (uint8_t)(nk - (((t >> 8) + t) >> 8));
    }
}

static void to_planes(const decoded *d, int channels, uint8_t *out)
{
    const size_t plane = (size_t)d->height * d->width;
    for (size_t i = 0; i < plane; ++i) {
        const uint8_t *p = d->data + i * d->k;
        uint8_t rgb[3] = { p[0], p[0], p[0] };
        if (d->k == 3) memcpy(rgb, p, 3);
        if (d->k == 4) cmyk_to_rgb(p, rgb);
        if (channels == 1) out[i] = d->k == 1 ? p[0] : luma(rgb);
        else
            for (int c = 0; c < 3; ++c) out[c * plane + i] = rgb[c];
    }
}

int nn_image_decode(const unsigned char *buf, size_t len, int channels, const char *name, nn_image *out, char *err,
                    size_t errlen)
{
    static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    static const unsigned char jpeg_magic[3] = { 0xff, 0xd8, 0xff };
    char why[300];
    decoded d;
    *out = (nn_image){ 0 };
    int status = -1;
    if (channels != 1 && channels != 3) snprintf(why, sizeof why, "cannot convert to %d channels (1 or 3)", channels);
    else if (len >= 8 && memcmp(buf, png_magic, 8) == 0) status = png_decode(buf, len, &d, why, sizeof why);
    else if (len >= 3 && memcmp(buf, jpeg_magic, 3) == 0) status = jpeg_decode(buf, len, &d, why, sizeof why);
    else snprintf(why, sizeof why, len ? "not a PNG or JPEG image (no PNG or JPEG signature)" : "empty file");
    if (status != 0) {
        snprintf(err, errlen, "%s: %s", name, why);
        return -1;
    }
    out->pixels = malloc((size_t)channels * d.height * d.width);
    if (!out->pixels) {
        free(d.data);
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    out->channels = channels, out->height = d.height, out->width = d.width;
    to_planes(&d, channels, out->pixels);
    free(d.data);
    return 0;
}

/* The whole file in memory (NULL with "path: reason" in err). */
static unsigned char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = nn_open_regular(path, len, err, errlen);
    if (!f) return NULL;
    unsigned char *buf = *len <= MAX_FILE_BYTES ? malloc(*len ? *len : 1) : NULL;
    if (!buf || fread(buf, 1, *len, f) != *len) {
        const char *why = *len > MAX_FILE_BYTES ? "file too large" : buf ? "read error" : "out of memory";
        snprintf(err, errlen, "%s: %s", path, why);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

int nn_image_read(const char *path, int channels, nn_image *out, char *err, size_t errlen)
{
    size_t len = 0;
    unsigned char *buf = read_file(path, &len, err, errlen);
    if (!buf) {
        *out = (nn_image){ 0 };
        return -1;
    }
    const int status = nn_image_decode(buf, len, channels, path, out, err, errlen);
    free(buf);
    return status;
}

/* ---- PIL's resampling (Pillow's Resample.c): a separable convolution with
 * fixed-point coefficients of 22 fraction bits, rounded to 8 bits after each pass */

#define PRECISION_BITS 22

/* For each output index i: input window first[i] .. first[i] + count[i] - 1,
 * its weights at k + offset[i]. */
typedef struct {
    int *first, *count;
    size_t *offset;
    int32_t *k;
} filter_taps;

static double triangle(double x)
{
    x = fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

/* Pillow's window center, (i + 0.5) * scale rounded to a double: the volatile
 * keeps -ffp-contract=fast from fusing it into the sums that follow, which
 * could move a window edge by one input pixel. */
static double center_of(int i, double scale)
{
    volatile double center = (i + 0.5) * scale;
    return center;
}

static void taps_free(filter_taps *t)
{
    free(t->first), free(t->count), free(t->offset), free(t->k);
}

/* Pillow's precompute_coeffs: support 1 (bilinear), widened by the scale when shrinking. */
static void taps_windows(int in_size, int out_size, filter_taps *t, size_t *total)
{
    const double scale = (double)in_size / out_size, support = scale > 1.0 ? scale : 1.0;
    *total = 0;
    for (int i = 0; i < out_size; ++i) {
        const double center = center_of(i, scale);
        int lo = (int)(center - support + 0.5), hi = (int)(center + support + 0.5);
        if (lo < 0) lo = 0;
        if (hi > in_size) hi = in_size;
        t->first[i] = lo, t->count[i] = hi - lo, t->offset[i] = *total;
        *total += (size_t)(hi - lo);
    }
}

/* The windows and their weights, normalized to sum 1 and rounded to fixed point as Pillow's
 * normalize_coeffs_8bpc. Returns -1 out of memory. */
static int taps_make(int in_size, int out_size, filter_taps *t)
{
    const double scale = (double)in_size / out_size, inv = scale > 1.0 ? 1.0 / scale : 1.0;
    size_t total;
    *t = (filter_taps){ malloc(sizeof(int) * out_size), malloc(sizeof(int) * out_size),
                        malloc(sizeof(size_t) * out_size), NULL };
    if (!t->first || !t->count || !t->offset) return taps_free(t), -1;
    taps_windows(in_size, out_size, t, &total);
    t->k = malloc(sizeof(int32_t) * (total ? total : 1));
    double *w = malloc(sizeof(double) * (size_t)in_size);
    if (!t->k || !w) return free(w), taps_free(t), -1;
    for (int i = 0; i < out_size; ++i) {
        const double center = center_of(i, scale);
        double sum = 0.0;
        for (int j = 0; j < t->count[i]; ++j) sum += w[j] = triangle((j + t->first[i] - center + 0.5) * inv);
        for (int j = 0; j < t->count[i]; ++j) {
            const double v = (sum != 0.0 ? w[j] / sum : w[j]) * (1 << PRECISION_BITS);
            t->k[t->offset[i] + j] = (int32_t)(v < 0 ? v - 0.5 : v + 0.5);
        }
    }
    free(w);
    return 0;
}

static uint8_t clip8(int64_t acc)
{
    const int64_t v = acc >> PRECISION_BITS;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* One output value: `n` inputs `stride` apart from `in`, weighted by `k`. */
static uint8_t convolve(const uint8_t *in, size_t stride, const int32_t *k, int n)
{
    int64_t acc = 1 << (PRECISION_BITS - 1);
    for (int j = 0; j < n; ++j) acc += (int64_t)in[j * stride] * k[j];
    return clip8(acc);
}

/* Rows of `rows` planes of width in_w resized to out_w (the horizontal pass). */
static void pass_horizontal(const uint8_t *in, int in_w, size_t rows, const filter_taps *t, int out_w, uint8_t *out)
{
    for (size_t r = 0; r < rows; ++r)
        for (int x = 0; x < out_w; ++x)
            out[r * out_w + x] = convolve(in + r * in_w + t->first[x], 1, t->k + t->offset[x], t->count[x]);
}

/* One plane of width w resized from in_h to out_h rows (the vertical pass). */
static void pass_vertical(const uint8_t *in, int w, const filter_taps *t, int out_h, uint8_t *out)
{
    for (int y = 0; y < out_h; ++y)
        for (int x = 0; x < w; ++x)
            out[(size_t)y * w + x] =
                convolve(in + (size_t)t->first[y] * w + x, (size_t)w, t->k + t->offset[y], t->count[y]);
}

int nn_image_resize(const nn_image *in, int height, int width, uint8_t *out)
{
    const size_t mid_plane = (size_t)in->height * width, out_plane = (size_t)height * width;
    uint8_t *mid = NULL;
    filter_taps th, tv;
    if (height < 1 || width < 1 || taps_make(in->width, width, &th) != 0) return -1;
    if (taps_make(in->height, height, &tv) != 0) return taps_free(&th), -1;
    if (width != in->width && !(mid = malloc(in->channels * mid_plane))) return taps_free(&th), taps_free(&tv), -1;
    if (mid) pass_horizontal(in->pixels, in->width, (size_t)in->channels * in->height, &th, width, mid);
    const uint8_t *src = mid ? mid : in->pixels;
    for (int c = 0; c < in->channels; ++c) {
        if (height == in->height) memcpy(out + c * out_plane, src + c * mid_plane, mid_plane);
        else pass_vertical(src + c * mid_plane, width, &tv, height, out + c * out_plane);
    }
    free(mid);
    taps_free(&th), taps_free(&tv);
    return 0;
}

int nn_image_load(const char *path, int channels, int height, int width, uint8_t *out, char *err, size_t errlen)
{
    nn_image im;
    if (nn_image_read(path, channels, &im, err, errlen) != 0) return -1;
    const int status = nn_image_resize(&im, height, width, out);
    if (status != 0) snprintf(err, errlen, "%s: out of memory resizing %dx%d to %dx%d", path, im.width, im.height,
                              width, height);
    nn_image_free(&im);
    return status;
}

void nn_image_free(nn_image *im)
{
    free(im->pixels);
    *im = (nn_image){ 0 };
}
