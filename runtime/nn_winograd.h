/* The transforms of the Winograd convolutions (ops/conv_winograd.lua): Winograd's minimal
 * filtering F(m x m, 3x3) for output tiles of m = 2 and 4. Each m x m output tile of a 3x3
 * stride-1 convolution is A^T [(G g G^T) .* (B^T d B)] A, where d is the (m+2) x (m+2) input
 * patch under the tile and g the kernel (Lavin and Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016), with
 *
 *   m = 2:  B^T = [ 1  0 -1  0 ]    G = [ 1    0    0   ]    A^T = [ 1  1  1  0 ]
 *                 [ 0  1  1  0 ]        [ 1/2  1/2  1/2 ]          [ 0  1 -1 -1 ]
 *                 [ 0 -1  1  0 ]        [ 1/2 -1/2  1/2 ]
 *                 [ 0  1  0 -1 ]        [ 0    0    1   ]
 *
 *   m = 4:  B^T = [ 4  0 -5  0  1  0 ]    G = [  1/4   0     0   ]    A^T = [ 1  1  1  1  1  0 ]
 *                 [ 0 -4 -4  1  1  0 ]        [ -1/6  -1/6  -1/6 ]          [ 0  1 -1  2 -2  0 ]
 *                 [ 0  4 -4 -1  1  0 ]        [ -1/6   1/6  -1/6 ]          [ 0  1  1  4  4  0 ]
 *                 [ 0 -2 -1  2  1  0 ]        [  1/24  1/12  1/6 ]          [ 0  1 -1  8 -8  1 ]
 *                 [ 0  2 -1 -2  1  0 ]        [  1/24 -1/12  1/6 ]
 *                 [ 0  4  0 -5  0  1 ]        [  0     0     1   ]
 *
 * Each transform is written out from these matrices, one line per output with its nonzero
 * terms only, so that it is a handful of additions per element; a fraction 1/d divides (exact
 * for powers of two, and otherwise the same as the multiplication to a rounding).
 * tests/test_winograd.c checks every transform against the matrices.
 *
 * The transformed tensors hold the (m+2)^2 patch positions as the outermost dimension, so that
 * the products for one position are one GEMM. Positions lie a matrix + WINOGRAD_SKEW elements
 * apart: a skew of one cache line, as streams a power of two apart would all fall into the
 * same cache sets (without it the input transform ran 7x slower on resnet18's first layers,
 * and the weight transform 5x slower on its last).
 *
 * The transforms work in chunks so that the pass along the patch positions is one long SIMD
 * loop per output. The weight transforms take the kernels 256 at a time: a pass per kernel
 * along its 3x3 taps, then a loop over the chunk per patch position, which is contiguous in
 * u and du. The image transforms take the tile rows of all planes as one sequence (in v[xi],
 * [planes][th][tw], consecutive tile rows are contiguous) in chunks of about 256 tiles, and
 * the pass along the rows of the image a tile row at a time (tile rows of resnet's small
 * images are 2 to 8 tiles long; chunks made the input transform 25-30% faster). The input
 * gradient adds overlapping patches into dx, so its chunks are whole planes.
 *
 * Written over `real`, the model's scalar type (nn_vec.h). */
#ifndef NN_WINOGRAD_H
#define NN_WINOGRAD_H

#include "nn_vec.h"

#include <stddef.h>
#include <string.h>

/* Elements between consecutive patch positions beyond the matrix; ops/conv_winograd.lua sizes
 * the workspace with the same skew. */
#define WINOGRAD_SKEW 16

/* row[c] = x[r][c - left] for c in [0, len), zero outside the plane (of h x w;
 * len >= left + w): a row of input under one row of tiles. */
static inline void wino_row(real *restrict row, const real *restrict x, int h, int w, int r, int left, int len)
{
    memset(row, 0, sizeof(real) * (size_t)len);
    if (r >= 0 && r < h) memcpy(row + left, x + (size_t)r * w, sizeof(real) * (size_t)w);
}

/* u[xi][co][ci] = (G g G^T)[xi] for every kernel g = w[co][ci]: F(2x2, 3x3). */
static inline void wino2_weights(real *restrict u, const real *restrict w, int cout, int cin)
{
    const size_t stride = (size_t)cout * cin + WINOGRAD_SKEW;
    const int kernels = cout * cin;
    #pragma omp parallel for
    for (int k0 = 0; k0 < kernels; k0 += 256) {
        const int nq = kernels - k0 < 256 ? kernels - k0 : 256;
        real t[3072]; /* t[(4 r + j) * 256 + q] = (g G^T)[r][j] of kernel k0 + q */
        for (int q = 0; q < nq; ++q) {
            const real *g = w + (size_t)(k0 + q) * 9;
            for (int r = 0; r < 3; ++r) {
                real *tr = t + (size_t)1024 * r + q;
                tr[0] = g[3 * r];
                tr[256] = g[3 * r] / 2 + g[3 * r + 1] / 2 + g[3 * r + 2] / 2;
                tr[512] = g[3 * r] / 2 - g[3 * r + 1] / 2 + g[3 * r + 2] / 2;
                tr[768] = g[3 * r + 2];
            }
        }
        for (int j = 0; j < 4; ++j) {
            const real *tj = t + (size_t)j * 256;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                u[(size_t)j * stride + k0 + q] = tj[q];
                u[(size_t)(4 + j) * stride + k0 + q] = tj[q] / 2 + tj[1024 + q] / 2 + tj[2048 + q] / 2;
                u[(size_t)(8 + j) * stride + k0 + q] = tj[q] / 2 - tj[1024 + q] / 2 + tj[2048 + q] / 2;
                u[(size_t)(12 + j) * stride + k0 + q] = tj[2048 + q];
            }
        }
    }
}

/* dw[co][ci] = G^T du G (+= when accumulating): the adjoint of wino2_weights. */
static inline void wino2_weights_grad(real *restrict dw, const real *restrict du, int cout, int cin, int accumulate)
{
    const size_t stride = (size_t)cout * cin + WINOGRAD_SKEW;
    const int kernels = cout * cin;
    #pragma omp parallel for
    for (int k0 = 0; k0 < kernels; k0 += 256) {
        const int nq = kernels - k0 < 256 ? kernels - k0 : 256;
        real s[3072]; /* s[(4 r + j) * 256 + q] = (G^T du)[r][j] of kernel k0 + q */
        for (int j = 0; j < 4; ++j) {
            real *sj = s + (size_t)j * 256;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                sj[q] = du[(size_t)j * stride + k0 + q] + du[(size_t)(4 + j) * stride + k0 + q] / 2 +
                        du[(size_t)(8 + j) * stride + k0 + q] / 2;
                sj[1024 + q] = du[(size_t)(4 + j) * stride + k0 + q] / 2 - du[(size_t)(8 + j) * stride + k0 + q] / 2;
                sj[2048 + q] = du[(size_t)(4 + j) * stride + k0 + q] / 2 + du[(size_t)(8 + j) * stride + k0 + q] / 2 +
                               du[(size_t)(12 + j) * stride + k0 + q];
            }
        }
        for (int q = 0; q < nq; ++q) {
            real *g = dw + (size_t)(k0 + q) * 9;
            if (!accumulate) memset(g, 0, sizeof(real) * 9);
            for (int r = 0; r < 3; ++r) {
                const real *sr = s + (size_t)1024 * r + q;
                g[3 * r] += sr[0] + sr[256] / 2 + sr[512] / 2;
                g[3 * r + 1] += sr[256] / 2 - sr[512] / 2;
                g[3 * r + 2] += sr[256] / 2 + sr[512] / 2 + sr[768];
            }
        }
    }
}

/* v[xi][p][ty][tx] = (B^T d B)[xi] for the 4x4 patch d of plane p (of h x w)
 * at row 2 ty - top, column 2 tx - left, zero outside the plane. */
static inline void wino2_input(real *restrict v, const real *restrict x, int planes, int h, int w, int th, int tw,
                               int top, int left)
{
    const size_t stride = (size_t)planes * th * tw + WINOGRAD_SKEW;
    const int rows = planes * th, chunk = tw >= 256 ? 1 : 256 / tw; /* tile rows per chunk */
    #pragma omp parallel for
    for (int g0 = 0; g0 < rows; g0 += chunk) {
        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;
        real t[16 * nq]; /* t[(4 r + j) * nq + q]: row r of patch q times B */
        for (int g = g0; g < g0 + ng; ++g) {
            const int p = g / th, ty = g % th;
            const real *xp = x + (size_t)p * h * w;
            for (int r = 0; r < 4; ++r) {
                real row[2 * tw + 2];
                wino_row(row, xp, h, w, 2 * ty - top + r, left, 2 * tw + 2);
                real *tr = t + (size_t)4 * r * nq + (g - g0) * tw;
                int k = 0;
                for (; k < tw; ++k) {
                    const real *e = row + 2 * k;
                    tr[k] = e[0] - e[2];
                    tr[nq + k] = e[1] + e[2];
                    tr[2 * nq + k] = -e[1] + e[2];
                    tr[3 * nq + k] = e[1] - e[3];
                }
            }
        }
        real *o = v + (size_t)g0 * tw; /* B^T t */
        for (int j = 0; j < 4; ++j) {
            const real *tj = t + (size_t)j * nq;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                o[(size_t)j * stride + q] = tj[q] - tj[8 * nq + q];
                o[(size_t)(4 + j) * stride + q] = tj[4 * nq + q] + tj[8 * nq + q];
                o[(size_t)(8 + j) * stride + q] = -tj[4 * nq + q] + tj[8 * nq + q];
                o[(size_t)(12 + j) * stride + q] = tj[4 * nq + q] - tj[12 * nq + q];
            }
        }
    }
}

/* dx += B dv B^T patch by patch (dx = ... unless accumulate): the adjoint of wino2_input. */
static inline void wino2_input_grad(real *restrict dx, const real *restrict dv, int planes, int h, int w, int th,
                                    int tw, int top, int left, int accumulate)
{
    const size_t stride = (size_t)planes * th * tw + WINOGRAD_SKEW;
    const int rows = planes * th, chunk = th * (th * tw >= 256 ? 1 : 256 / (th * tw)); /* tile rows */
    #pragma omp parallel for
    for (int g0 = 0; g0 < rows; g0 += chunk) {
        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;
        real t[16 * nq]; /* t[(4 r + j) * nq + q] = (B dv)[r][j] for patch q */
        const real *o = dv + (size_t)g0 * tw;
        for (int j = 0; j < 4; ++j) {
            real *tj = t + (size_t)j * nq;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                tj[q] = o[(size_t)j * stride + q];
                tj[4 * nq + q] = o[(size_t)(4 + j) * stride + q] - o[(size_t)(8 + j) * stride + q] +
                                 o[(size_t)(12 + j) * stride + q];
                tj[8 * nq + q] =
                    -o[(size_t)j * stride + q] + o[(size_t)(4 + j) * stride + q] + o[(size_t)(8 + j) * stride + q];
                tj[12 * nq + q] = -o[(size_t)(12 + j) * stride + q];
            }
        }
        for (int g = g0; g < g0 + ng; ++g) {
            const int p = g / th, ty = g % th;
            real *xp = dx + (size_t)p * h * w;
            if (!accumulate && ty == 0) memset(xp, 0, sizeof(real) * (size_t)h * w); /* chunks are whole planes */
            for (int r = 0; r < 4; ++r) {
                const int y = 2 * ty - top + r;
                if (y < 0 || y >= h) continue;
                real row[2 * tw + 2]; /* row r of every patch times B^T; patches overlap by 2 */
                const real *tr = t + (size_t)4 * r * nq + (g - g0) * tw;
                for (int k = 0; k < tw; ++k) {
                    row[2 * k] = tr[k];
                    row[2 * k + 1] = tr[nq + k] - tr[2 * nq + k] + tr[3 * nq + k];
                }
                row[2 * tw] = row[2 * tw + 1] = 0;
                for (int k = 0; k < tw; ++k) {
                    row[2 * k + 2] += -tr[k] + tr[nq + k] + tr[2 * nq + k];
                    row[2 * k + 3] += -tr[3 * nq + k];
                }
                real *xr = xp + (size_t)y * w;
                for (int c = 0; c < w; ++c) xr[c] += row[left + c];
            }
        }
    }
}

/* y[p] = A^T m A tile by tile for planes p = co * n + i of ho x wo, plus
 * b[co] (b NULL for none), then max(y, 0) where relu is set (a fused relu). */
static inline void wino2_output(real *restrict y, const real *restrict m, const real *restrict b, int relu, int n,
                                int planes, int ho, int wo, int th, int tw)
{
    const size_t stride = (size_t)planes * th * tw + WINOGRAD_SKEW;
    const int rows = planes * th, chunk = tw >= 256 ? 1 : 256 / tw; /* tile rows per chunk */
    #pragma omp parallel for
    for (int g0 = 0; g0 < rows; g0 += chunk) {
        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;
        real s[8 * nq]; /* s[(4 i + j) * nq + q] = (A^T m)[i][j] for tile q */
        const real *o = m + (size_t)g0 * tw;
        for (int j = 0; j < 4; ++j) {
            real *sj = s + (size_t)j * nq;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                sj[q] = o[(size_t)j * stride + q] + o[(size_t)(4 + j) * stride + q] + o[(size_t)(8 + j) * stride + q];
                sj[4 * nq + q] = o[(size_t)(4 + j) * stride + q] - o[(size_t)(8 + j) * stride + q] -
                                 o[(size_t)(12 + j) * stride + q];
            }
        }
        for (int g = g0; g < g0 + ng; ++g) {
            const int p = g / th, ty = g % th;
            real *yp = y + (size_t)p * ho * wo;
            const real bias = b ? b[p / n] : 0;
            for (int r = 0; r < 2 && 2 * ty + r < ho; ++r) {
                real row[2 * tw];
                const real *sr = s + (size_t)4 * r * nq + (g - g0) * tw;
                for (int k = 0; k < tw; ++k) {
                    row[2 * k] = sr[k] + sr[nq + k] + sr[2 * nq + k] + bias;
                    row[2 * k + 1] = sr[nq + k] - sr[2 * nq + k] - sr[3 * nq + k] + bias;
                }
                real *yr = yp + (size_t)(2 * ty + r) * wo;
                if (relu)
                    for (int c = 0; c < wo; ++c) yr[c] = row[c] > 0 ? row[c] : 0;
                else
                    memcpy(yr, row, sizeof(real) * (size_t)wo);
            }
        }
    }
}

/* dm = A dy A^T tile by tile (dy zero past the plane's edge): the adjoint of
 * wino2_output before its bias and relu. */
static inline void wino2_output_grad(real *restrict dm, const real *restrict dy, int planes, int ho, int wo, int th,
                                     int tw)
{
    const size_t stride = (size_t)planes * th * tw + WINOGRAD_SKEW;
    const int rows = planes * th, chunk = tw >= 256 ? 1 : 256 / tw; /* tile rows per chunk */
    #pragma omp parallel for
    for (int g0 = 0; g0 < rows; g0 += chunk) {
        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;
        real e[8 * nq]; /* e[(4 r + j) * nq + q]: row r of tile q times A^T */
        for (int g = g0; g < g0 + ng; ++g) {
            const int p = g / th, ty = g % th;
            const real *yp = dy + (size_t)p * ho * wo;
            for (int r = 0; r < 2; ++r) {
                real row[2 * tw];
                memset(row, 0, sizeof row);
                if (2 * ty + r < ho) memcpy(row, yp + (size_t)(2 * ty + r) * wo, sizeof(real) * (size_t)wo);
                real *er = e + (size_t)4 * r * nq + (g - g0) * tw;
                for (int k = 0; k < tw; ++k) {
                    const real *d = row + 2 * k;
                    er[k] = d[0];
                    er[nq + k] = d[0] + d[1];
                    er[2 * nq + k] = d[0] - d[1];
                    er[3 * nq + k] = -d[1];
                }
            }
        }
        real *o = dm + (size_t)g0 * tw; /* A e */
        for (int j = 0; j < 4; ++j) {
            const real *ej = e + (size_t)j * nq;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                o[(size_t)j * stride + q] = ej[q];
                o[(size_t)(4 + j) * stride + q] = ej[q] + ej[4 * nq + q];
                o[(size_t)(8 + j) * stride + q] = ej[q] - ej[4 * nq + q];
                o[(size_t)(12 + j) * stride + q] = -ej[4 * nq + q];
            }
        }
    }
}

/* u[xi][co][ci] = (G g G^T)[xi] for every kernel g = w[co][ci]: F(4x4, 3x3). */
static inline void wino4_weights(real *restrict u, const real *restrict w, int cout, int cin)
{
    const size_t stride = (size_t)cout * cin + WINOGRAD_SKEW;
    const int kernels = cout * cin;
    #pragma omp parallel for
    for (int k0 = 0; k0 < kernels; k0 += 256) {
        const int nq = kernels - k0 < 256 ? kernels - k0 : 256;
        real t[4608]; /* t[(6 r + j) * 256 + q] = (g G^T)[r][j] of kernel k0 + q */
        for (int q = 0; q < nq; ++q) {
            const real *g = w + (size_t)(k0 + q) * 9;
            for (int r = 0; r < 3; ++r) {
                real *tr = t + (size_t)1536 * r + q;
                tr[0] = g[3 * r] / 4;
                tr[256] = -g[3 * r] / 6 - g[3 * r + 1] / 6 - g[3 * r + 2] / 6;
                tr[512] = -g[3 * r] / 6 + g[3 * r + 1] / 6 - g[3 * r + 2] / 6;
                tr[768] = g[3 * r] / 24 + g[3 * r + 1] / 12 + g[3 * r + 2] / 6;
                tr[1024] = g[3 * r] / 24 - g[3 * r + 1] / 12 + g[3 * r + 2] / 6;
                tr[1280] = g[3 * r + 2];
            }
        }
        for (int j = 0; j < 6; ++j) {
            const real *tj = t + (size_t)j * 256;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                u[(size_t)j * stride + k0 + q] = tj[q] / 4;
                u[(size_t)(6 + j) * stride + k0 + q] = -tj[q] / 6 - tj[1536 + q] / 6 - tj[3072 + q] / 6;
                u[(size_t)(12 + j) * stride + k0 + q] = -tj[q] / 6 + tj[1536 + q] / 6 - tj[3072 + q] / 6;
                u[(size_t)(18 + j) * stride + k0 + q] = tj[q] / 24 + tj[1536 + q] / 12 + tj[3072 + q] / 6;
                u[(size_t)(24 + j) * stride + k0 + q] = tj[q] / 24 - tj[1536 + q] / 12 + tj[3072 + q] / 6;
                u[(size_t)(30 + j) * stride + k0 + q] = tj[3072 + q];
            }
        }
    }
}

/* dw[co][ci] = G^T du G (+= when accumulating): the adjoint of wino4_weights. */
static inline void wino4_weights_grad(real *restrict dw, const real *restrict du, int cout, int cin, int accumulate)
{
    const size_t stride = (size_t)cout * cin + WINOGRAD_SKEW;
    const int kernels = cout * cin;
    #pragma omp parallel for
    for (int k0 = 0; k0 < kernels; k0 += 256) {
        const int nq = kernels - k0 < 256 ? kernels - k0 : 256;
        real s[4608]; /* s[(6 r + j) * 256 + q] = (G^T du)[r][j] of kernel k0 + q */
        for (int j = 0; j < 6; ++j) {
            real *sj = s + (size_t)j * 256;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                sj[q] = du[(size_t)j * stride + k0 + q] / 4 - du[(size_t)(6 + j) * stride + k0 + q] / 6 -
                        du[(size_t)(12 + j) * stride + k0 + q] / 6 + du[(size_t)(18 + j) * stride + k0 + q] / 24 +
                        du[(size_t)(24 + j) * stride + k0 + q] / 24;
                sj[1536 + q] = -du[(size_t)(6 + j) * stride + k0 + q] / 6 + du[(size_t)(12 + j) * stride + k0 + q] / 6 +
                               du[(size_t)(18 + j) * stride + k0 + q] / 12 -
                               du[(size_t)(24 + j) * stride + k0 + q] / 12;
                sj[3072 + q] = -du[(size_t)(6 + j) * stride + k0 + q] / 6 - du[(size_t)(12 + j) * stride + k0 + q] / 6 +
                               du[(size_t)(18 + j) * stride + k0 + q] / 6 + du[(size_t)(24 + j) * stride + k0 + q] / 6 +
                               du[(size_t)(30 + j) * stride + k0 + q];
            }
        }
        for (int q = 0; q < nq; ++q) {
            real *g = dw + (size_t)(k0 + q) * 9;
            if (!accumulate) memset(g, 0, sizeof(real) * 9);
            for (int r = 0; r < 3; ++r) {
                const real *sr = s + (size_t)1536 * r + q;
                g[3 * r] += sr[0] / 4 - sr[256] / 6 - sr[512] / 6 + sr[768] / 24 + sr[1024] / 24;
                g[3 * r + 1] += -sr[256] / 6 + sr[512] / 6 + sr[768] / 12 - sr[1024] / 12;
                g[3 * r + 2] += -sr[256] / 6 - sr[512] / 6 + sr[768] / 6 + sr[1024] / 6 + sr[1280];
            }
        }
    }
}

/* v[xi][p][ty][tx] = (B^T d B)[xi] for the 6x6 patch d of plane p (of h x w)
 * at row 4 ty - top, column 4 tx - left, zero outside the plane. */
static inline void wino4_input(real *restrict v, const real *restrict x, int planes, int h, int w, int th, int tw,
                               int top, int left)
{
    const size_t stride = (size_t)planes * th * tw + WINOGRAD_SKEW;
    const int rows = planes * th, chunk = tw >= 256 ? 1 : 256 / tw; /* tile rows per chunk */
    #pragma omp parallel for
    for (int g0 = 0; g0 < rows; g0 += chunk) {
        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;
        real t[36 * nq]; /* t[(6 r + j) * nq + q]: row r of patch q times B */
        for (int g = g0; g < g0 + ng; ++g) {
            const int p = g / th, ty = g % th;
            const real *xp = x + (size_t)p * h * w;
            for (int r = 0; r < 6; ++r) {
                real row[4 * tw + 10]; /* the vector row pass reads 8 values past the last tile's patch */
                wino_row(row, xp, h, w, 4 * ty - top + r, left, 4 * tw + 10);
                real *tr = t + (size_t)6 * r * nq + (g - g0) * tw;
                int k = 0;
                /* 8 tiles at once: the 34 values under them de-interleaved into e_c[l] = row[4 (k + l) + c]
                 * by lane shuffles, then the 6 outputs as vectors (20-25% faster on resnet18's 8-tile rows
                 * than one tile at a time, which reads every fourth value) */
                for (; k + 8 <= tw; k += 8) {
                    vreal r0, r1, r2, r3, r4;
                    vload(&r0, row + 4 * k);
                    vload(&r1, row + 4 * k + 8);
                    vload(&r2, row + 4 * k + 16);
                    vload(&r3, row + 4 * k + 24);
                    vload(&r4, row + 4 * k + 32);
                    const vreal ev01 = __builtin_shuffle(r0, r1, (vlanes){ 0, 4, 8, 12, 2, 6, 10, 14 });
                    const vreal ev23 = __builtin_shuffle(r2, r3, (vlanes){ 0, 4, 8, 12, 2, 6, 10, 14 });
                    const vreal od01 = __builtin_shuffle(r0, r1, (vlanes){ 1, 5, 9, 13, 3, 7, 11, 15 });
                    const vreal od23 = __builtin_shuffle(r2, r3, (vlanes){ 1, 5, 9, 13, 3, 7, 11, 15 });
                    const vreal e0 = __builtin_shuffle(ev01, ev23, (vlanes){ 0, 1, 2, 3, 8, 9, 10, 11 });
                    const vreal e2 = __builtin_shuffle(ev01, ev23, (vlanes){ 4, 5, 6, 7, 12, 13, 14, 15 });
                    const vreal e1 = __builtin_shuffle(od01, od23, (vlanes){ 0, 1, 2, 3, 8, 9, 10, 11 });
                    const vreal e3 = __builtin_shuffle(od01, od23, (vlanes){ 4, 5, 6, 7, 12, 13, 14, 15 });
                    const vreal e4 = __builtin_shuffle(e0, r4, (vlanes){ 1, 2, 3, 4, 5, 6, 7, 8 });
                    const vreal e5 = __builtin_shuffle(e1, r4, (vlanes){ 1, 2, 3, 4, 5, 6, 7, 9 });
                    const vreal o0 = 4 * e0 - 5 * e2 + e4;
                    const vreal o1 = -4 * e1 - 4 * e2 + e3 + e4;
                    const vreal o2 = 4 * e1 - 4 * e2 - e3 + e4;
                    const vreal o3 = -2 * e1 - e2 + 2 * e3 + e4;
                    const vreal o4 = 2 * e1 - e2 - 2 * e3 + e4;
                    const vreal o5 = 4 * e1 - 5 * e3 + e5;
                    memcpy(&tr[k], &o0, sizeof o0);
                    memcpy(&tr[nq + k], &o1, sizeof o1);
                    memcpy(&tr[2 * nq + k], &o2, sizeof o2);
                    memcpy(&tr[3 * nq + k], &o3, sizeof o3);
                    memcpy(&tr[4 * nq + k], &o4, sizeof o4);
                    memcpy(&tr[5 * nq + k], &o5, sizeof o5);
                }
                for (; k < tw; ++k) {
                    const real *e = row + 4 * k;
                    tr[k] = 4 * e[0] - 5 * e[2] + e[4];
                    tr[nq + k] = -4 * e[1] - 4 * e[2] + e[3] + e[4];
                    tr[2 * nq + k] = 4 * e[1] - 4 * e[2] - e[3] + e[4];
                    tr[3 * nq + k] = -2 * e[1] - e[2] + 2 * e[3] + e[4];
                    tr[4 * nq + k] = 2 * e[1] - e[2] - 2 * e[3] + e[4];
                    tr[5 * nq + k] = 4 * e[1] - 5 * e[3] + e[5];
                }
            }
        }
        real *o = v + (size_t)g0 * tw; /* B^T t */
        for (int j = 0; j < 6; ++j) {
            const real *tj = t + (size_t)j * nq;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                o[(size_t)j * stride + q] = 4 * tj[q] - 5 * tj[12 * nq + q] + tj[24 * nq + q];
                o[(size_t)(6 + j) * stride + q] =
                    -4 * tj[6 * nq + q] - 4 * tj[12 * nq + q] + tj[18 * nq + q] + tj[24 * nq + q];
                o[(size_t)(12 + j) * stride + q] =
                    4 * tj[6 * nq + q] - 4 * tj[12 * nq + q] - tj[18 * nq + q] + tj[24 * nq + q];
                o[(size_t)(18 + j) * stride + q] =
                    -2 * tj[6 * nq + q] - tj[12 * nq + q] + 2 * tj[18 * nq + q] + tj[24 * nq + q];
                o[(size_t)(24 + j) * stride + q] =
                    2 * tj[6 * nq + q] - tj[12 * nq + q] - 2 * tj[18 * nq + q] + tj[24 * nq + q];
                o[(size_t)(30 + j) * stride + q] = 4 * tj[6 * nq + q] - 5 * tj[18 * nq + q] + tj[30 * nq + q];
            }
        }
    }
}

/* dx += B dv B^T patch by patch (dx = ... unless accumulate): the adjoint of wino4_input. */
static inline void wino4_input_grad(real *restrict dx, const real *restrict dv, int planes, int h, int w, int th,
                                    int tw, int top, int left, int accumulate)
{
    const size_t stride = (size_t)planes * th * tw + WINOGRAD_SKEW;
    const int rows = planes * th, chunk = th * (th * tw >= 256 ? 1 : 256 / (th * tw)); /* tile rows */
    #pragma omp parallel for
    for (int g0 = 0; g0 < rows; g0 += chunk) {
        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;
        real t[36 * nq]; /* t[(6 r + j) * nq + q] = (B dv)[r][j] for patch q */
        const real *o = dv + (size_t)g0 * tw;
        for (int j = 0; j < 6; ++j) {
            real *tj = t + (size_t)j * nq;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                tj[q] = 4 * o[(size_t)j * stride + q];
                tj[6 * nq + q] = -4 * o[(size_t)(6 + j) * stride + q] + 4 * o[(size_t)(12 + j) * stride + q] -
                                 2 * o[(size_t)(18 + j) * stride + q] + 2 * o[(size_t)(24 + j) * stride + q] +
                                 4 * o[(size_t)(30 + j) * stride + q];
                tj[12 * nq + q] = -5 * o[(size_t)j * stride + q] - 4 * o[(size_t)(6 + j) * stride + q] -
                                  4 * o[(size_t)(12 + j) * stride + q] - o[(size_t)(18 + j) * stride + q] -
                                  o[(size_t)(24 + j) * stride + q];
                tj[18 * nq + q] = o[(size_t)(6 + j) * stride + q] - o[(size_t)(12 + j) * stride + q] +
                                  2 * o[(size_t)(18 + j) * stride + q] - 2 * o[(size_t)(24 + j) * stride + q] -
                                  5 * o[(size_t)(30 + j) * stride + q];
                tj[24 * nq + q] = o[(size_t)j * stride + q] + o[(size_t)(6 + j) * stride + q] +
                                  o[(size_t)(12 + j) * stride + q] + o[(size_t)(18 + j) * stride + q] +
                                  o[(size_t)(24 + j) * stride + q];
                tj[30 * nq + q] = o[(size_t)(30 + j) * stride + q];
            }
        }
        for (int g = g0; g < g0 + ng; ++g) {
            const int p = g / th, ty = g % th;
            real *xp = dx + (size_t)p * h * w;
            if (!accumulate && ty == 0) memset(xp, 0, sizeof(real) * (size_t)h * w); /* chunks are whole planes */
            for (int r = 0; r < 6; ++r) {
                const int y = 4 * ty - top + r;
                if (y < 0 || y >= h) continue;
                real row[4 * tw + 2]; /* row r of every patch times B^T; patches overlap by 2 */
                const real *tr = t + (size_t)6 * r * nq + (g - g0) * tw;
                for (int k = 0; k < tw; ++k) {
                    row[4 * k] = 4 * tr[k];
                    row[4 * k + 1] = -4 * tr[nq + k] + 4 * tr[2 * nq + k] - 2 * tr[3 * nq + k] + 2 * tr[4 * nq + k] +
                                     4 * tr[5 * nq + k];
                    row[4 * k + 2] = -5 * tr[k] - 4 * tr[nq + k] - 4 * tr[2 * nq + k] - tr[3 * nq + k] - tr[4 * nq + k];
                    row[4 * k + 3] =
                        tr[nq + k] - tr[2 * nq + k] + 2 * tr[3 * nq + k] - 2 * tr[4 * nq + k] - 5 * tr[5 * nq + k];
                }
                row[4 * tw] = row[4 * tw + 1] = 0;
                for (int k = 0; k < tw; ++k) {
                    row[4 * k + 4] += tr[k] + tr[nq + k] + tr[2 * nq + k] + tr[3 * nq + k] + tr[4 * nq + k];
                    row[4 * k + 5] += tr[5 * nq + k];
                }
                real *xr = xp + (size_t)y * w;
                for (int c = 0; c < w; ++c) xr[c] += row[left + c];
            }
        }
    }
}

/* y[p] = A^T m A tile by tile for planes p = co * n + i of ho x wo, plus
 * b[co] (b NULL for none), then max(y, 0) where relu is set (a fused relu). */
static inline void wino4_output(real *restrict y, const real *restrict m, const real *restrict b, int relu, int n,
                                int planes, int ho, int wo, int th, int tw)
{
    const size_t stride = (size_t)planes * th * tw + WINOGRAD_SKEW;
    const int rows = planes * th, chunk = tw >= 256 ? 1 : 256 / tw; /* tile rows per chunk */
    #pragma omp parallel for
    for (int g0 = 0; g0 < rows; g0 += chunk) {
        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;
        real s[24 * nq]; /* s[(6 i + j) * nq + q] = (A^T m)[i][j] for tile q */
        const real *o = m + (size_t)g0 * tw;
        for (int j = 0; j < 6; ++j) {
            real *sj = s + (size_t)j * nq;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                sj[q] = o[(size_t)j * stride + q] + o[(size_t)(6 + j) * stride + q] + o[(size_t)(12 + j) * stride + q] +
                        o[(size_t)(18 + j) * stride + q] + o[(size_t)(24 + j) * stride + q];
                sj[6 * nq + q] = o[(size_t)(6 + j) * stride + q] - o[(size_t)(12 + j) * stride + q] +
                                 2 * o[(size_t)(18 + j) * stride + q] - 2 * o[(size_t)(24 + j) * stride + q];
                sj[12 * nq + q] = o[(size_t)(6 + j) * stride + q] + o[(size_t)(12 + j) * stride + q] +
                                  4 * o[(size_t)(18 + j) * stride + q] + 4 * o[(size_t)(24 + j) * stride + q];
                sj[18 * nq + q] = o[(size_t)(6 + j) * stride + q] - o[(size_t)(12 + j) * stride + q] +
                                  8 * o[(size_t)(18 + j) * stride + q] - 8 * o[(size_t)(24 + j) * stride + q] +
                                  o[(size_t)(30 + j) * stride + q];
            }
        }
        for (int g = g0; g < g0 + ng; ++g) {
            const int p = g / th, ty = g % th;
            real *yp = y + (size_t)p * ho * wo;
            const real bias = b ? b[p / n] : 0;
            for (int r = 0; r < 4 && 4 * ty + r < ho; ++r) {
                real row[4 * tw];
                const real *sr = s + (size_t)6 * r * nq + (g - g0) * tw;
                for (int k = 0; k < tw; ++k) {
                    row[4 * k] = sr[k] + sr[nq + k] + sr[2 * nq + k] + sr[3 * nq + k] + sr[4 * nq + k] + bias;
                    row[4 * k + 1] = sr[nq + k] - sr[2 * nq + k] + 2 * sr[3 * nq + k] - 2 * sr[4 * nq + k] + bias;
                    row[4 * k + 2] = sr[nq + k] + sr[2 * nq + k] + 4 * sr[3 * nq + k] + 4 * sr[4 * nq + k] + bias;
                    row[4 * k + 3] =
                        sr[nq + k] - sr[2 * nq + k] + 8 * sr[3 * nq + k] - 8 * sr[4 * nq + k] + sr[5 * nq + k] + bias;
                }
                real *yr = yp + (size_t)(4 * ty + r) * wo;
                if (relu)
                    for (int c = 0; c < wo; ++c) yr[c] = row[c] > 0 ? row[c] : 0;
                else
                    memcpy(yr, row, sizeof(real) * (size_t)wo);
            }
        }
    }
}

/* dm = A dy A^T tile by tile (dy zero past the plane's edge): the adjoint of
 * wino4_output before its bias and relu. */
static inline void wino4_output_grad(real *restrict dm, const real *restrict dy, int planes, int ho, int wo, int th,
                                     int tw)
{
    const size_t stride = (size_t)planes * th * tw + WINOGRAD_SKEW;
    const int rows = planes * th, chunk = tw >= 256 ? 1 : 256 / tw; /* tile rows per chunk */
    #pragma omp parallel for
    for (int g0 = 0; g0 < rows; g0 += chunk) {
        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;
        real e[24 * nq]; /* e[(6 r + j) * nq + q]: row r of tile q times A^T */
        for (int g = g0; g < g0 + ng; ++g) {
            const int p = g / th, ty = g % th;
            const real *yp = dy + (size_t)p * ho * wo;
            for (int r = 0; r < 4; ++r) {
                real row[4 * tw];
                memset(row, 0, sizeof row);
                if (4 * ty + r < ho) memcpy(row, yp + (size_t)(4 * ty + r) * wo, sizeof(real) * (size_t)wo);
                real *er = e + (size_t)6 * r * nq + (g - g0) * tw;
                for (int k = 0; k < tw; ++k) {
                    const real *d = row + 4 * k;
                    er[k] = d[0];
                    er[nq + k] = d[0] + d[1] + d[2] + d[3];
                    er[2 * nq + k] = d[0] - d[1] + d[2] - d[3];
                    er[3 * nq + k] = d[0] + 2 * d[1] + 4 * d[2] + 8 * d[3];
                    er[4 * nq + k] = d[0] - 2 * d[1] + 4 * d[2] - 8 * d[3];
                    er[5 * nq + k] = d[3];
                }
            }
        }
        real *o = dm + (size_t)g0 * tw; /* A e */
        for (int j = 0; j < 6; ++j) {
            const real *ej = e + (size_t)j * nq;
            #pragma omp simd
            for (int q = 0; q < nq; ++q) {
                o[(size_t)j * stride + q] = ej[q];
                o[(size_t)(6 + j) * stride + q] = ej[q] + ej[6 * nq + q] + ej[12 * nq + q] + ej[18 * nq + q];
                o[(size_t)(12 + j) * stride + q] = ej[q] - ej[6 * nq + q] + ej[12 * nq + q] - ej[18 * nq + q];
                o[(size_t)(18 + j) * stride + q] =
                    ej[q] + 2 * ej[6 * nq + q] + 4 * ej[12 * nq + q] + 8 * ej[18 * nq + q];
                o[(size_t)(24 + j) * stride + q] =
                    ej[q] - 2 * ej[6 * nq + q] + 4 * ej[12 * nq + q] - 8 * ej[18 * nq + q];
                o[(size_t)(30 + j) * stride + q] = ej[18 * nq + q];
            }
        }
    }
}

#endif
