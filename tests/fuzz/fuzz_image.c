/* libFuzzer harness for the image decoders (runtime/image.c): any bytes as a
 * PNG or JPEG in memory, converted to gray (odd sizes) or RGB and resized to
 * 17x13. A small pixel limit keeps legitimate but huge headers within the
 * fuzzer's memory limit. */
#define NN_IMAGE_MAX_PIXELS ((size_t)1 << 22)

#include "../../runtime/array.c"
#include "../../runtime/image.c"
#include "../../runtime/regular_file.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[3 * 17 * 13];
    char err[512];
    nn_image im;
    if (nn_image_decode(data, size, size % 2 ? 1 : 3, "input", &im, err, sizeof err) != 0) return 0;
    if (nn_image_resize(&im, 17, 13, out) != 0) abort();
    nn_image_free(&im);
    return 0;
}
