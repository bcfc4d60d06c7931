/* The direct convolutions' helpers (ops/conv_direct*.lua): padded and channels-last copies of
 * planes, 8x8 transposes, the wide rows' copy-out, and the 2x2 max pool fused into a
 * convolution with its gradient. Written over `real`, the model's scalar type (nn_vec.h). */
#ifndef NN_DIRECT_H
#define NN_DIRECT_H

#include "nn_vec.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Copies the h x w plane src into a zeroed plane of hp rows wp long, at row top and column
 * left, masked by a fused relu (zero where its output y <= 0) unless y is NULL: a direct
 * convolution's padded input, or its padded output gradient. Always inlined, so that every
 * size is a literal (GCC would otherwise share one generic copy among the layers). */
__attribute__((always_inline)) static inline void pad_plane(real *restrict dst, const real *restrict src,
                                                           const real *restrict y, int h, int w, int hp, int wp,
                                                           int top, int left)
{
    /* Each element is written once: the zeros before the first row, each row and the padding
     * after it, the zeros below. (Zeroing the plane first and then storing the masked rows
     * made GCC 12 -O3 vectorize the masked copy wrongly.) */
    memset(dst, 0, sizeof(real) * ((size_t)top * wp + left));
    for (int r = 0; r < h; ++r) {
        real *d = dst + (size_t)(r + top) * wp + left;
        const real *g = src + (size_t)r * w;
        if (y) {
            /* without branches, which the relu mask would make unpredictable: vectors, then
             * the last values as bits and-ed with the mask */
            const real *o = y + (size_t)r * w;
            int k = 0;
            for (; k + 8 <= w; k += 8) {
                vreal v, m;
                vload(&v, g + k);
                vload(&m, o + k);
                v = (vreal)((vlanes)v & (m > (vreal){ 0 }));
                memcpy(d + k, &v, sizeof v);
            }
            for (; k < w; ++k) {
                lane_index bits;
                memcpy(&bits, g + k, sizeof bits);
                bits &= -(lane_index)(o[k] > 0);
                memcpy(d + k, &bits, sizeof bits);
            }
        } else {
            memcpy(d, g, sizeof(real) * (size_t)w);
        }
        memset(d + w, 0, sizeof(real) * (size_t)(wp - w));
    }
    const size_t done = (size_t)(h + top) * wp + left;
    memset(dst + done, 0, sizeof(real) * ((size_t)hp * wp - done));
}

/* dst[j * ds + k] = r[k][j] for 8 rows k of 8 values j, by three rounds of interleaving:
 * single lanes, then pairs, then halves (v[c] then holds columns c and c + 4). Always
 * inlined, so that the stride is a literal. */
__attribute__((always_inline)) static inline void transpose8(real *restrict dst, size_t ds, const vreal r[8])
{
    vreal u[8], v[8];
    for (int k = 0; k < 8; k += 2) {
        u[k] = __builtin_shuffle(r[k], r[k + 1], (vlanes){ 0, 8, 1, 9, 4, 12, 5, 13 });
        u[k + 1] = __builtin_shuffle(r[k], r[k + 1], (vlanes){ 2, 10, 3, 11, 6, 14, 7, 15 });
    }
    for (int k = 0; k < 8; k += 4)
        for (int h = 0; h < 2; ++h) {
            v[k + 2 * h] = __builtin_shuffle(u[k + h], u[k + h + 2], (vlanes){ 0, 1, 8, 9, 4, 5, 12, 13 });
            v[k + 2 * h + 1] = __builtin_shuffle(u[k + h], u[k + h + 2], (vlanes){ 2, 3, 10, 11, 6, 7, 14, 15 });
        }
    for (int k = 0; k < 4; ++k) {
        const vreal lo = __builtin_shuffle(v[k], v[k + 4], (vlanes){ 0, 1, 2, 3, 8, 9, 10, 11 });
        const vreal hi = __builtin_shuffle(v[k], v[k + 4], (vlanes){ 4, 5, 6, 7, 12, 13, 14, 15 });
        memcpy(dst + (size_t)k * ds, &lo, sizeof lo);
        memcpy(dst + (size_t)(k + 4) * ds, &hi, sizeof hi);
    }
}

/* dst[((top + r) * wq + left + col) * cin + c] = src[c * cs + r * wd + col]: one image's cin
 * planes of h x wd (cs apart) as a channels-last plane, padded with zeros to hq x wq (cin a
 * multiple of 8), 8 channels x 8 columns at a time by transpose8 and the columns past the last
 * multiple of 8 one by one. Always inlined, so that the sizes are literals. */
__attribute__((always_inline)) static inline void to_channels_last(real *restrict dst, const real *restrict src,
                                                                  size_t cs, int cin, int h, int wd, int hq,
                                                                  int wq, int top, int left)
{
    memset(dst, 0, sizeof(real) * (size_t)hq * wq * cin);
    for (int c = 0; c < cin; c += 8)
        for (int r = 0; r < h; ++r) {
            real *d = dst + ((size_t)(top + r) * wq + left) * cin + c;
            const real *s = src + (size_t)c * cs + (size_t)r * wd;
            int col = 0;
            for (; col + 8 <= wd; col += 8) {
                vreal v[8];
                for (int k = 0; k < 8; ++k) vload(&v[k], s + k * cs + col);
                transpose8(d + (size_t)col * cin, cin, v);
            }
            for (; col < wd; ++col)
                for (int k = 0; k < 8; ++k) d[(size_t)col * cin + k] = s[k * cs + col];
        }
}

/* dst[c * cs + r * wd + col] = (or +=, when accumulating) src[((top + r) * wq + left + col) *
 * cin + c]: the h x wd interior of a channels-last padded plane back to cin planes cs apart (cin
 * a multiple of 8), by transpose8 as to_channels_last. */
__attribute__((always_inline)) static inline void from_channels_last(real *restrict dst, size_t cs,
                                                                    const real *restrict src, int cin, int h,
                                                                    int wd, int wq, int top, int left,
                                                                    int accumulate)
{
    for (int c = 0; c < cin; c += 8)
        for (int r = 0; r < h; ++r) {
            real *d = dst + (size_t)c * cs + (size_t)r * wd;
            const real *s = src + ((size_t)(top + r) * wq + left) * cin + c;
            int col = 0;
            for (; col + 8 <= wd; col += 8) {
                vreal v[8];
                for (int k = 0; k < 8; ++k) vload(&v[k], s + (size_t)(col + k) * cin);
                if (!accumulate) {
                    transpose8(d + col, cs, v);
                    continue;
                }
                real t[64];
                transpose8(t, 8, v);
                for (int k = 0; k < 8; ++k)
                    for (int j = 0; j < 8; ++j) d[k * cs + col + j] += t[k * 8 + j];
            }
            for (; col < wd; ++col)
                for (int k = 0; k < 8; ++k) {
                    const real v = s[(size_t)col * cin + k];
                    d[k * cs + col] = accumulate ? d[k * cs + col] + v : v;
                }
        }
}

/* dst[j * ds + k] = src[k * ss + j] for a block of 8 rows k of 8 values j: the first `rows`
 * rows of src (masked by a fused relu unless y is NULL: zero where its output y <= 0), zeros
 * for the others. Row k is added to the lanes of sums[k]. A direct convolution's output
 * gradient, from [channel][position] planes to [position][channel] rows, and its bias
 * gradient; always inlined, so that the strides are literals. */
__attribute__((always_inline)) static inline void transpose_block(real *restrict dst, size_t ds,
                                                                 const real *restrict src,
                                                                 const real *restrict y, size_t ss, int rows,
                                                                 vreal sums[8])
{
    vreal r[8];
    for (int k = 0; k < 8; ++k) {
        r[k] = (vreal){ 0 };
        if (k < rows) {
            vload(&r[k], src + k * ss);
            if (y) {
                vreal o;
                vload(&o, y + k * ss);
                r[k] = (vreal)((vlanes)r[k] & (o > (vreal){ 0 }));
            }
        }
        sums[k] += r[k];
    }
    transpose8(dst, ds, r);
}

/* Copies the first wo columns of each of `rows` rows ws long (a wide plane) into
 * the rows x wo plane y, or adds them to it. */
static inline void unwiden(real *restrict y, const real *restrict yw, int rows, int ws, int wo, int accumulate)
{
    /* A compiler barrier: yw was just written from vector registers, and GCC 12 at -O3
     * -march=native miscompiles these copies when it forwards those registers into them
     * (wrong values for 16-lane vectors of doubles); read yw back from memory instead. */
    __asm__ volatile("" ::: "memory");
    for (int r = 0; r < rows; ++r) {
        if (accumulate)
            for (int j = 0; j < wo; ++j) y[r * wo + j] += yw[r * ws + j];
        else
            memcpy(y + r * wo, yw + r * ws, sizeof(real) * (size_t)wo);
    }
}

/* The 2x2, stride-2 max pool of a band of a direct convolution's output, from the band's wide
 * rows (ws long) while they are in L1: prows rows of wo outputs into y, and into arg the offset
 * of each maximum in the convolution's plane (rows cw long, the band's first at `at`), the first
 * of equal ones in row order, as the max pool's own forward finds it. Vectors of 8 outputs,
 * split into the windows' columns by shuffles: as scalars, GCC compiles the comparisons to
 * branches, which the data mispredicts. A vector reads up to 16 values past the last row's
 * windows. Always inlined, so that the sizes are literals. */
__attribute__((always_inline)) static inline void max_pool_band8(real *restrict y, int32_t *restrict arg,
                                                                const real *restrict e0,
                                                                const real *restrict e1, int k, int cw,
                                                                int32_t first)
{
    typedef int32_t vint32 __attribute__((vector_size(8 * sizeof(int32_t))));
    const vlanes even = { 0, 2, 4, 6, 8, 10, 12, 14 }, odd = { 1, 3, 5, 7, 9, 11, 13, 15 };
    vreal a0, b0, a1, b1;
    vload(&a0, e0);
    vload(&b0, e0 + 8);
    vload(&a1, e1);
    vload(&b1, e1 + 8);
    const vreal window[4] = { __builtin_shuffle(a0, b0, even), __builtin_shuffle(a0, b0, odd),
                              __builtin_shuffle(a1, b1, even), __builtin_shuffle(a1, b1, odd) };
    const lane_index step[4] = { 0, 1, cw, cw + 1 };
    vreal m = window[0];
    vlanes off = (vlanes){ 0 };
    for (int x = 1; x < 4; ++x) {
        const vlanes larger = window[x] > m;
        m = (vreal)(((vlanes)window[x] & larger) | ((vlanes)m & ~larger));
        off = (step[x] & larger) | (off & ~larger);
    }
    const vint32 a = __builtin_convertvector(off + even + (lane_index)first, vint32);
    memcpy(y, &m, sizeof(real) * (size_t)k);
    memcpy(arg, &a, sizeof(int32_t) * (size_t)k);
}

__attribute__((always_inline)) static inline void max_pool_band(real *restrict y, int32_t *restrict arg,
                                                               const real *restrict yw, int prows, int ws, int wo,
                                                               int cw, int32_t at)
{
    __asm__ volatile("" ::: "memory"); /* yw was just written from vector registers: see unwiden */
    for (int r = 0; r < prows; ++r) {
        const real *e0 = yw + (size_t)2 * r * ws, *e1 = e0 + ws;
        const int32_t first = at + 2 * r * cw;
        int j = 0;
        for (; j + 8 <= wo; j += 8)
            max_pool_band8(y + r * wo + j, arg + r * wo + j, e0 + 2 * j, e1 + 2 * j, 8, cw, first + 2 * j);
        if (j < wo)
            max_pool_band8(y + r * wo + j, arg + r * wo + j, e0 + 2 * j, e1 + 2 * j, wo - j, cw, first + 2 * j);
    }
}

/* The 2x2 max pool of one window of a direct convolution's output, from its four outputs in
 * row order, each a vector of output channels, after the relu fused into the convolution: into
 * y and arg lane by lane, `stride` apart (from one channel's plane to the next), the first of
 * equal ones, as the max pool's own forward finds it; arg is the maximum's offset in the
 * convolution's plane (rows cw long), the window's first at `first`. Compares and selects
 * on whole vectors: as scalars, GCC compiles them to branches, which the data mispredicts. */
__attribute__((always_inline)) static inline void max_pool_lanes(real *restrict y, int32_t *restrict arg,
                                                                const vwide win[4], int32_t first, int cw,
                                                                size_t stride)
{
    const lane_index step[4] = { 0, 1, cw, cw + 1 };
    vwide m = (vwide)((vwlanes)win[0] & (win[0] > (vwide){ 0 }));
    vwlanes off = (vwlanes){ 0 };
    for (int x = 1; x < 4; ++x) {
        const vwide v = (vwide)((vwlanes)win[x] & (win[x] > (vwide){ 0 }));
        const vwlanes larger = v > m;
        m = (vwide)(((vwlanes)v & larger) | ((vwlanes)m & ~larger));
        off = (step[x] & larger) | (off & ~larger);
    }
    for (int l = 0; l < WIDE_LANES; ++l) {
        y[(size_t)l * stride] = m[l];
        arg[(size_t)l * stride] = first + (int32_t)off[l];
    }
}

/* The output gradient of a direct convolution rebuilt from the 2x2 max pool after it, a vector
 * along a row at a time (of even length): *gv = the pool's output gradient g at the `pooled`
 * windows under the vector, zero where its output y <= 0 (the relu before the pool), and *at
 * their argmax, each in two lanes; the row's vector at offsets first.. of the convolution's plane
 * is then gv where at == first + lane (unpool_lanes). Half vectors, whose lanes are paired by one
 * permutation each (GCC 12's __builtin_shufflevector, which can widen). */
#if WIDE_LANES == 16
#define UNPOOL_PAIRS 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7
static const vwlanes unpool_lane = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
#else
#define UNPOOL_PAIRS 0, 0, 1, 1, 2, 2, 3, 3
static const vwlanes unpool_lane = { 0, 1, 2, 3, 4, 5, 6, 7 };
#endif
__attribute__((always_inline)) static inline void unpool_vector(vwide *gv, vwlanes *at, const real *restrict g,
                                                               const int32_t *restrict arg,
                                                               const real *restrict y, int pooled)
{
    typedef real vhalf __attribute__((vector_size(WIDE_LANES / 2 * sizeof(real))));
    typedef lane_index vhlanes __attribute__((vector_size(WIDE_LANES / 2 * sizeof(real))));
    typedef int32_t vhint32 __attribute__((vector_size(WIDE_LANES / 2 * sizeof(int32_t))));
    vhalf gh = { 0 }, yh = { 0 };
    vhint32 ah = { 0 };
    memcpy(&gh, g, sizeof(real) * (size_t)pooled);
    memcpy(&yh, y, sizeof(real) * (size_t)pooled);
    memcpy(&ah, arg, sizeof(int32_t) * (size_t)pooled);
    gh = (vhalf)((vhlanes)gh & (yh > (vhalf){ 0 }));
    *gv = __builtin_shufflevector(gh, gh, UNPOOL_PAIRS);
    *at = __builtin_convertvector(__builtin_shufflevector(ah, ah, UNPOOL_PAIRS), vwlanes);
}

static inline void unpool_lanes(vwide *dv, const vwide *gv, const vwlanes *at, int32_t first)
{
    *dv = (vwide)((vwlanes)*gv & (*at == unpool_lane + (lane_index)first));
}

/* A direct convolution's output gradient, padded (planes of `plane` values, rows wp long, the
 * gradient from row top, column left), rebuilt from the 2x2 max pool after it: from its output
 * gradient g, argmax arg (offsets in the convolution's output, rows wo long) and output y, count
 * values, the pooled gradient at each window's maximum where y > 0, zeros elsewhere. */
static inline void unpool_plane(real *restrict dst, const real *restrict g, const int32_t *restrict arg,
                                const real *restrict y, int count, int wo, int plane, int wp, int top, int left)
{
    memset(dst, 0, sizeof(real) * (size_t)plane);
    for (int o = 0; o < count; ++o)
        if (y[o] > 0) dst[(arg[o] / wo + top) * wp + arg[o] % wo + left] = g[o];
}

#endif
