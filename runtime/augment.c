#include "augment.h"

#include <string.h>

int nn_augment_enabled(const nn_augment *a) { return a->crop_pad > 0 || a->flip || a->noise > 0; }

void nn_augment_image(const nn_augment *a, float *img, int C, int H, int W, const float *fill, nn_rng *rng,
                      float *scratch)
{
    const size_t plane = (size_t)H * W;
    if (a->crop_pad > 0) {
        const int span = 2 * a->crop_pad + 1;
        const int dy = (int)nn_rng_below(rng, (uint32_t)span) - a->crop_pad;
        const int dx = (int)nn_rng_below(rng, (uint32_t)span) - a->crop_pad;
        memcpy(scratch, img, sizeof(float) * plane * C);
        for (int c = 0; c < C; ++c)
            for (int h = 0; h < H; ++h)
                for (int w = 0; w < W; ++w) {
                    const int sh = h + dy, sw = w + dx;
                    img[c * plane + (size_t)h * W + w] =
                        sh >= 0 && sh < H && sw >= 0 && sw < W ? scratch[c * plane + (size_t)sh * W + sw] : fill[c];
                }
    }
    if (a->flip && nn_rng_below(rng, 2)) {
        for (int c = 0; c < C; ++c)
            for (int h = 0; h < H; ++h) {
                float *row = img + c * plane + (size_t)h * W;
                for (int w = 0; w < W / 2; ++w) {
                    const float t = row[w];
                    row[w] = row[W - 1 - w];
                    row[W - 1 - w] = t;
                }
            }
    }
    if (a->noise > 0)
        for (size_t i = 0; i < plane * C; ++i) img[i] += (float)(a->noise * nn_rng_normal(rng));
}
