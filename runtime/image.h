/* One PNG or JPEG image, decoded by libpng or libjpeg (the format is told by
 * the first bytes, not the file name), converted to 8-bit gray or RGB as
 * PIL's Image.convert('L' or 'RGB') does, and resized as PIL's
 * Image.resize((W, H), Image.BILINEAR) does. Pixels are channel planes,
 * C x H x W, row-major, as the trainer's NCHW tensors.
 *
 * Conversions (as PIL): alpha is dropped (not composited); gray to RGB
 * replicates; RGB to gray is ITU-R 601 luma in PIL's fixed point,
 * L = (19595 R + 38470 G + 7471 B + 32768) >> 16 (299/587/114 per mille);
 * 16-bit PNG samples keep their high byte; CMYK and YCCK JPEGs become RGB
 * as PIL's cmyk2rgb (R = (255 - C)(255 - K) / 255, Adobe-inverted files
 * included). A truncated or corrupt file is an error, never a padded image. */
#ifndef NN_IMAGE_H
#define NN_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Images of more pixels are refused from their header, before decoding. */
#ifndef NN_IMAGE_MAX_PIXELS
#define NN_IMAGE_MAX_PIXELS ((size_t)1 << 28)
#endif

typedef struct {
    int channels, height, width;
    uint8_t *pixels; /* channels x height x width, owned */
} nn_image;

/* Decodes `len` bytes of a PNG or JPEG into `channels` (1 or 3) planes;
 * `name` begins the one-line error message ("NAME: what is wrong"). */
int nn_image_decode(const unsigned char *buf, size_t len, int channels, const char *name, nn_image *out, char *err,
                    size_t errlen);
/* nn_image_decode on the contents of the file at `path`. */
int nn_image_read(const char *path, int channels, nn_image *out, char *err, size_t errlen);
/* Resizes `in` to height x width into `out` (in->channels x height x width
 * bytes): PIL's separable bilinear filter, widened by the scale factor when
 * shrinking (antialiased). Returns -1 out of memory or for a size below 1x1. */
int nn_image_resize(const nn_image *in, int height, int width, uint8_t *out);
/* Reads, converts and resizes the file at `path` into `out`. */
int nn_image_load(const char *path, int channels, int height, int width, uint8_t *out, char *err, size_t errlen);
void nn_image_free(nn_image *im);

#endif
