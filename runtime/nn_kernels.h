/* The passes around the generated models' BLAS calls: im2col and its adjoint a window
 * offset at a time, the bias and fused-relu epilogues of convolutions and dense layers, their
 * bias gradients, the batch norm's sums, and the dense layer's outer products at batch 1.
 * Written over `real`, the model's scalar type (nn_vec.h). */
#ifndef NN_KERNELS_H
#define NN_KERNELS_H

#include "nn_model.h" /* the fused optimizer step */
#include "nn_vec.h"

#include <stddef.h>
#include <string.h>

/* The output columns [lo, hi) whose input column ow * sw + dw lies inside
 * 0..W-1 (and, called with the heights, the output rows that are inside). */
static inline void valid_columns(int W, int Wo, int sw, int dw, int *lo, int *hi)
{
    *lo = dw >= 0 ? 0 : (-dw + sw - 1) / sw;
    *hi = W - dw <= 0 ? 0 : (W - dw + sw - 1) / sw;
    if (*hi > Wo) *hi = Wo;
    if (*lo > *hi) *lo = *hi;
}

/* One im2col row: the input plane of one channel seen through one window
 * offset (dh, dw) for every image and output position; zeros in padding.
 * The padding rows and columns are found once, so no copy loop has a test
 * in it (GCC 12 at -O3 -mavx2 miscompiled the test inside the row loop). */
static inline void im2col_row(real *restrict dst, const real *restrict src, int n, int H, int W,
                              int Ho, int Wo, int sh, int sw, int dh, int dw)
{
    int top, bottom, lo, hi;
    valid_columns(H, Ho, sh, dh, &top, &bottom);
    valid_columns(W, Wo, sw, dw, &lo, &hi);
    for (int i = 0; i < n; ++i) {
        const real *xi = src + (size_t)i * H * W;
        real *di = dst + (size_t)i * Ho * Wo;
        memset(di, 0, sizeof(real) * (size_t)top * Wo);
        for (int oh = top; oh < bottom; ++oh) {
            const real *xr = xi + (size_t)(oh * sh + dh) * W;
            real *d = di + (size_t)oh * Wo;
            for (int ow = 0; ow < lo; ++ow) d[ow] = 0;
            for (int ow = lo; ow < hi; ++ow) d[ow] = xr[ow * sw + dw];
            for (int ow = hi; ow < Wo; ++ow) d[ow] = 0;
        }
        memset(di + (size_t)bottom * Wo, 0, sizeof(real) * (size_t)(Ho - bottom) * Wo);
    }
}

/* The adjoint of im2col_row: adds one column-gradient row back into the
 * input-gradient plane it was read from. */
static inline void col2im_row(real *restrict dst, const real *restrict src, int n, int H, int W,
                              int Ho, int Wo, int sh, int sw, int dh, int dw)
{
    int top, bottom, lo, hi;
    valid_columns(H, Ho, sh, dh, &top, &bottom);
    valid_columns(W, Wo, sw, dw, &lo, &hi);
    for (int i = 0; i < n; ++i) {
        real *xi = dst + (size_t)i * H * W;
        const real *si = src + (size_t)i * Ho * Wo;
        for (int oh = top; oh < bottom; ++oh) {
            const real *s = si + (size_t)oh * Wo;
            real *xr = xi + (size_t)(oh * sh + dh) * W;
            for (int ow = lo; ow < hi; ++ow) xr[ow * sw + dw] += s[ow];
        }
    }
}

/* y[r][j] += b[r] (b NULL for none), then max(y, 0) where relu is set (a
 * fused relu): the epilogue of a channel-major conv output, in one pass. */
static inline void add_bias_rows(real *restrict y, const real *restrict b, int rows, int cols, int relu)
{
    #pragma omp parallel for
    for (int r = 0; r < rows; ++r) {
        real *yr = y + (size_t)r * cols;
        const real br = b ? b[r] : 0;
        if (relu) {
            for (int j = 0; j < cols; ++j) {
                const real v = yr[j] + br;
                yr[j] = v > 0 ? v : 0;
            }
        } else {
            for (int j = 0; j < cols; ++j) yr[j] += br;
        }
    }
}

/* dy = dy where y > 0, else 0, in place: the gradient through a fused relu. */
static inline void relu_mask(real *restrict dy, const real *restrict y, size_t count)
{
    #pragma omp parallel for
    for (size_t i = 0; i < count; ++i) {
        const real d = dy[i];
        dy[i] = y[i] > 0 ? d : 0;
    }
}

/* db[r] = sum_j dy[r][j] (+= when accumulating): bias gradient of a channel-major conv
 * output. Given y, the output of a fused relu, dy is first masked in place (zero where
 * y <= 0), in the same pass. The sums run in vector lanes (omp simd). */
static inline void sum_rows(real *restrict db, real *restrict dy, const real *restrict y, int rows, int cols,
                            int accumulate)
{
    #pragma omp parallel for
    for (int r = 0; r < rows; ++r) {
        real *d = dy + (size_t)r * cols, sum = 0;
        if (y) {
            const real *yr = y + (size_t)r * cols;
            #pragma omp simd reduction(+ : sum)
            for (int j = 0; j < cols; ++j) {
                const real g = yr[j] > 0 ? d[j] : 0;
                d[j] = g;
                sum += g;
            }
        } else {
            #pragma omp simd reduction(+ : sum)
            for (int j = 0; j < cols; ++j) sum += d[j];
        }
        db[r] = accumulate ? db[r] + sum : sum;
    }
}

/* The sum of g and of g * x over m values, in double, in one pass, where g
 * is dy, or dy where relu_out > 0 (a fused relu) when relu_out is not NULL.
 * Eight partial sums in a fixed order, so that the result is the same every
 * run; written with vectors because GCC does not vectorize the float to
 * double sums by itself. With dy = x it gives the sum of squares. */
static inline void sum_and_dot(const real *restrict dy, const real *restrict relu_out, const real *restrict x, int m,
                               double *sum, double *dot)
{
    typedef double vdouble __attribute__((vector_size(8 * sizeof(double))));
    vdouble s = { 0 }, p = { 0 };
    int j = 0;
    for (; j + 8 <= m; j += 8) {
        vreal d, v;
        vload(&d, dy + j);
        vload(&v, x + j);
        if (relu_out) {
            const vreal zero = { 0 };
            vreal r;
            vload(&r, relu_out + j);
            d = (vreal)((r > zero) & (vlanes)d);
        }
        const vdouble g = __builtin_convertvector(d, vdouble);
        s += g;
        p += g * __builtin_convertvector(v, vdouble);
    }
    for (int l = 1; l < 8; ++l) {
        s[0] += s[l];
        p[0] += p[l];
    }
    for (; j < m; ++j) {
        const double g = relu_out && !(relu_out[j] > 0) ? 0 : dy[j];
        s[0] += g;
        p[0] += g * x[j];
    }
    *sum = s[0];
    *dot = p[0];
}

/* y[i][c] += b[c]: bias of a dense output. */
static inline void add_bias_cols(real *restrict y, const real *restrict b, int rows, int cols)
{
    for (int i = 0; i < rows; ++i)
        for (int c = 0; c < cols; ++c) y[(size_t)i * cols + c] += b[c];
}

/* db[c] = sum_i dy[i][c] (+= when accumulating): bias gradient of a dense output. */
static inline void sum_cols(real *restrict db, const real *restrict dy, int rows, int cols, int accumulate)
{
    for (int c = 0; c < cols; ++c) {
        real sum = 0;
        for (int i = 0; i < rows; ++i) sum += dy[(size_t)i * cols + c];
        db[c] = accumulate ? db[c] + sum : sum;
    }
}

/* dw = dy x^T: the weight gradient of a dense layer at batch 1, written (ger can only add to it). */
static inline void outer(real *restrict dw, const real *restrict dy, const real *restrict x, int rows, int cols)
{
    #pragma omp parallel for
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) dw[(size_t)r * cols + c] = dy[r] * x[c];
}

/* A dense layer's weight gradient at batch 1 with the optimizer step fused into it
 * (runtime/optim.h): row r, dy[r] x, goes to the optimizer in pieces of up to 2048 as soon as
 * it is formed and is never stored, so it does not go through memory. Rows with dy[r] = 0 (a
 * relu's mask: about half) are the zeros already in g. The threads split the rows as the
 * optimizer and OpenBLAS's gemv do, so each keeps its rows in its own cache. In float, as
 * the fused step (nn_model.h) is float only. */
static inline void outer_update(struct nn_fused_update *f, int tensor, float *restrict w, const float *restrict dy,
                                const float *restrict x, int rows, int cols)
{
    #pragma omp parallel
    {
        float g[2048];
        int zero = 0; /* whether g holds only zeros */
        #pragma omp for
        for (int r = 0; r < rows; ++r) {
            for (int c0 = 0; c0 < cols; c0 += 2048) {
                const int m = cols - c0 < 2048 ? cols - c0 : 2048;
                if (dy[r] != 0) {
                    for (int c = 0; c < m; ++c) g[c] = dy[r] * x[c0 + c];
                    zero = 0;
                } else if (!zero) {
                    memset(g, 0, sizeof g);
                    zero = 1;
                }
                nn_fused_apply(f, tensor, (size_t)r * cols + (size_t)c0, (size_t)m, w + (size_t)r * cols + c0, g);
            }
        }
    }
    nn_fused_done(f, tensor);
}

#endif
