#include "interpolate.h"

/* Along one axis: the lower source index, the upper one, and the upper's weight. */
typedef struct {
    int lo, hi;
    float w;
} nn_tap;

/* PyTorch's CPU kernel: the scale in float, the source position in double
 * (its accumulation type), the weight rounded to float. */
static nn_tap tap(int dst, int in, int out)
{
    const float scale = (float)in / (float)out;
    double src = (double)scale * (dst + 0.5) - 0.5;
    if (src < 0.0) src = 0.0;
    const int lo = (int)src;
    return (nn_tap){ lo, lo < in - 1 ? lo + 1 : lo, (float)(src - lo) };
}

void nn_interpolate_bilinear(const float *in, int in_h, int in_w, float *out, int out_h, int out_w)
{
    for (int y = 0; y < out_h; ++y) {
        const nn_tap ty = tap(y, in_h, out_h);
        const float *r0 = in + (long)ty.lo * in_w, *r1 = in + (long)ty.hi * in_w;
        for (int x = 0; x < out_w; ++x) {
            const nn_tap tx = tap(x, in_w, out_w);
            const float top = (1.0f - tx.w) * r0[tx.lo] + tx.w * r0[tx.hi];
            const float bottom = (1.0f - tx.w) * r1[tx.lo] + tx.w * r1[tx.hi];
            out[(long)y * out_w + x] = (1.0f - ty.w) * top + ty.w * bottom;
        }
    }
}
