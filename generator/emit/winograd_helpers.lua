-- C helpers of the "winograd" convolution strategy (ops/conv_winograd.lua):
-- the transforms of Winograd's minimal filtering F(2x2, 3x3). Each 2x2 output
-- tile of a 3x3 stride-1 convolution is A^T [(G g G^T) .* (B^T d B)] A, where d
-- is the 4x4 input patch under the tile and g the kernel, with
--   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],
--   G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],  A^T = [1 1 1 0; 0 1 -1 -1]
-- (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
-- The transformed tensors hold the 16 patch positions as the outermost
-- dimension, so that the products for one position are one GEMM. Positions
-- lie a matrix + 16 elements apart: a skew of one cache line, as 16 streams a
-- power of two apart would all fall into the same cache sets (without it the
-- input transform ran 7x slower on resnet18's first layers, and the weight
-- transform 5x slower on its last).
local winograd_helpers = {}

winograd_helpers.ORDER = { "wino_weights", "wino_weights_grad", "wino_row", "wino_input", "wino_input_grad", "wino_output",
  "wino_output_grad" }

winograd_helpers.TEXT = {
  wino_weights = [[
/* u[xi][co][ci] = (G g G^T)[xi] for every kernel g = w[co][ci]. */
static inline void wino_weights(real *restrict u, const real *restrict w, int cout, int cin)
{
    const size_t stride = (size_t)cout * cin + 16; /* skewed */
    #pragma omp parallel for
    for (int k = 0; k < cout * cin; ++k) {
        const real *g = w + (size_t)k * 9;
        real t[4][3]; /* G g */
        for (int j = 0; j < 3; ++j) {
            t[0][j] = g[j];
            t[1][j] = (real)0.5 * (g[j] + g[3 + j] + g[6 + j]);
            t[2][j] = (real)0.5 * (g[j] - g[3 + j] + g[6 + j]);
            t[3][j] = g[6 + j];
        }
        for (int i = 0; i < 4; ++i) {
            real *ui = u + (size_t)(4 * i) * stride + k;
            ui[0] = t[i][0];
            ui[stride] = (real)0.5 * (t[i][0] + t[i][1] + t[i][2]);
            ui[2 * stride] = (real)0.5 * (t[i][0] - t[i][1] + t[i][2]);
            ui[3 * stride] = t[i][2];
        }
    }
}
]],
  wino_weights_grad = [[
/* dw[co][ci] += G^T du G: the adjoint of wino_weights. */
static inline void wino_weights_grad(real *restrict dw, const real *restrict du, int cout, int cin)
{
    const size_t stride = (size_t)cout * cin + 16; /* skewed */
    #pragma omp parallel for
    for (int k = 0; k < cout * cin; ++k) {
        real s[3][4]; /* G^T du */
        for (int j = 0; j < 4; ++j) {
            const real d0 = du[(size_t)j * stride + k], d1 = du[(size_t)(4 + j) * stride + k];
            const real d2 = du[(size_t)(8 + j) * stride + k], d3 = du[(size_t)(12 + j) * stride + k];
            s[0][j] = d0 + (real)0.5 * (d1 + d2);
            s[1][j] = (real)0.5 * (d1 - d2);
            s[2][j] = (real)0.5 * (d1 + d2) + d3;
        }
        real *g = dw + (size_t)k * 9;
        for (int i = 0; i < 3; ++i) {
            g[3 * i] += s[i][0] + (real)0.5 * (s[i][1] + s[i][2]);
            g[3 * i + 1] += (real)0.5 * (s[i][1] - s[i][2]);
            g[3 * i + 2] += (real)0.5 * (s[i][1] + s[i][2]) + s[i][3];
        }
    }
}
]],
  wino_row = [[
/* row[c] = x[r][c - left] for c in [0, len), zero outside the plane (of h x w;
 * len >= left + w): a row of input under one row of tiles. */
static inline void wino_row(real *restrict row, const real *restrict x, int h, int w, int r, int left, int len)
{
    memset(row, 0, sizeof(real) * (size_t)len);
    if (r >= 0 && r < h) memcpy(row + left, x + (size_t)r * w, sizeof(real) * (size_t)w);
}
]],
  wino_input = [[
/* v[xi][p][ty][tx] = (B^T d B)[xi] for the 4x4 patch d of plane p (of h x w)
 * at row 2ty - top, column 2tx - left, zero outside the plane. A row of tiles
 * at a time, rows times B first, so that every loop runs along tx. */
static inline void wino_input(real *restrict v, const real *restrict x, int planes, int h, int w, int th, int tw,
                              int top, int left)
{
    const size_t stride = (size_t)planes * th * tw + 16; /* skewed */
    #pragma omp parallel for
    for (int p = 0; p < planes; ++p) {
        const real *xp = x + (size_t)p * h * w;
        real *vp = v + (size_t)p * th * tw;
        for (int ty = 0; ty < th; ++ty) {
            real t[4][4][tw]; /* t[a][j][tx]: row a of patch tx times B */
            for (int a = 0; a < 4; ++a) {
                real row[2 * tw + 2];
                wino_row(row, xp, h, w, 2 * ty - top + a, left, 2 * tw + 2);
                for (int k = 0; k < tw; ++k) {
                    const real *e = row + 2 * k;
                    t[a][0][k] = e[0] - e[2];
                    t[a][1][k] = e[1] + e[2];
                    t[a][2][k] = e[2] - e[1];
                    t[a][3][k] = e[1] - e[3];
                }
            }
            real *o = vp + ty * tw; /* B^T t */
            for (int j = 0; j < 4; ++j)
                for (int k = 0; k < tw; ++k) {
                    o[(size_t)j * stride + k] = t[0][j][k] - t[2][j][k];
                    o[(size_t)(4 + j) * stride + k] = t[1][j][k] + t[2][j][k];
                    o[(size_t)(8 + j) * stride + k] = t[2][j][k] - t[1][j][k];
                    o[(size_t)(12 + j) * stride + k] = t[1][j][k] - t[3][j][k];
                }
        }
    }
}
]],
  wino_input_grad = [[
/* dx += B dv B^T patch by patch: the adjoint of wino_input, a row of tiles at
 * a time. Patches overlap, so each plane is one thread's. */
static inline void wino_input_grad(real *restrict dx, const real *restrict dv, int planes, int h, int w, int th,
                                   int tw, int top, int left)
{
    const size_t stride = (size_t)planes * th * tw + 16; /* skewed */
    #pragma omp parallel for
    for (int p = 0; p < planes; ++p) {
        real *xp = dx + (size_t)p * h * w;
        const real *vp = dv + (size_t)p * th * tw;
        for (int ty = 0; ty < th; ++ty) {
            const real *o = vp + ty * tw;
            real t[4][4][tw]; /* t[a][j][tx] = (B dv)[a][j] */
            for (int j = 0; j < 4; ++j)
                for (int k = 0; k < tw; ++k) {
                    const real v0 = o[(size_t)j * stride + k], v1 = o[(size_t)(4 + j) * stride + k];
                    const real v2 = o[(size_t)(8 + j) * stride + k], v3 = o[(size_t)(12 + j) * stride + k];
                    t[0][j][k] = v0;
                    t[1][j][k] = v1 - v2 + v3;
                    t[2][j][k] = v1 + v2 - v0;
                    t[3][j][k] = -v3;
                }
            for (int a = 0; a < 4; ++a) {
                const int r = 2 * ty - top + a;
                if (r < 0 || r >= h) continue;
                real row[2 * tw + 2]; /* row a of every patch times B^T, overlaps added */
                for (int k = 0; k < tw; ++k) {
                    row[2 * k] = t[a][0][k];
                    row[2 * k + 1] = t[a][1][k] - t[a][2][k] + t[a][3][k];
                }
                row[2 * tw] = row[2 * tw + 1] = 0;
                for (int k = 0; k < tw; ++k) {
                    row[2 * k + 2] += t[a][1][k] + t[a][2][k] - t[a][0][k];
                    row[2 * k + 3] -= t[a][3][k];
                }
                real *xr = xp + (size_t)r * w;
                for (int c = 0; c < w; ++c) xr[c] += row[left + c];
            }
        }
    }
}
]],
  wino_output = [[
/* y[p] = A^T m A tile by tile for planes p = co * n + i of ho x wo, plus
 * b[co] (b NULL for none), then max(y, 0) where relu is set (a fused relu).
 * A row of tiles at a time, A^T first, so that every loop runs along tx. */
static inline void wino_output(real *restrict y, const real *restrict m, const real *restrict b, int relu, int n,
                               int planes, int ho, int wo, int th, int tw)
{
    const size_t stride = (size_t)planes * th * tw + 16; /* skewed */
    #pragma omp parallel for
    for (int p = 0; p < planes; ++p) {
        real *yp = y + (size_t)p * ho * wo;
        const real *mp = m + (size_t)p * th * tw;
        const real bias = b ? b[p / n] : 0;
        for (int ty = 0; ty < th; ++ty) {
            const real *o = mp + ty * tw;
            real s[2][4][tw]; /* A^T m */
            for (int j = 0; j < 4; ++j)
                for (int k = 0; k < tw; ++k) {
                    const real m0 = o[(size_t)j * stride + k], m1 = o[(size_t)(4 + j) * stride + k];
                    const real m2 = o[(size_t)(8 + j) * stride + k], m3 = o[(size_t)(12 + j) * stride + k];
                    s[0][j][k] = m0 + m1 + m2;
                    s[1][j][k] = m1 - m2 - m3;
                }
            for (int a = 0; a < 2 && 2 * ty + a < ho; ++a) {
                real row[2 * tw];
                for (int k = 0; k < tw; ++k) {
                    row[2 * k] = s[a][0][k] + s[a][1][k] + s[a][2][k] + bias;
                    row[2 * k + 1] = s[a][1][k] - s[a][2][k] - s[a][3][k] + bias;
                }
                real *yr = yp + (size_t)(2 * ty + a) * wo;
                if (relu)
                    for (int c = 0; c < wo; ++c) yr[c] = row[c] > 0 ? row[c] : 0;
                else
                    memcpy(yr, row, sizeof(real) * (size_t)wo);
            }
        }
    }
}
]],
  wino_output_grad = [[
/* dm = A dy A^T tile by tile (dy zero past the plane's edge): the adjoint of
 * wino_output before its bias and relu, a row of tiles at a time. */
static inline void wino_output_grad(real *restrict dm, const real *restrict dy, int planes, int ho, int wo, int th,
                                    int tw)
{
    const size_t stride = (size_t)planes * th * tw + 16; /* skewed */
    #pragma omp parallel for
    for (int p = 0; p < planes; ++p) {
        const real *yp = dy + (size_t)p * ho * wo;
        real *mp = dm + (size_t)p * th * tw;
        for (int ty = 0; ty < th; ++ty) {
            real e[2][4][tw]; /* e[a][j][tx]: row a of tile tx times A^T */
            for (int a = 0; a < 2; ++a) {
                real row[2 * tw];
                memset(row, 0, sizeof row);
                if (2 * ty + a < ho) memcpy(row, yp + (size_t)(2 * ty + a) * wo, sizeof(real) * (size_t)wo);
                for (int k = 0; k < tw; ++k) {
                    const real e0 = row[2 * k], e1 = row[2 * k + 1];
                    e[a][0][k] = e0;
                    e[a][1][k] = e0 + e1;
                    e[a][2][k] = e0 - e1;
                    e[a][3][k] = -e1;
                }
            }
            real *o = mp + ty * tw; /* A e */
            for (int j = 0; j < 4; ++j)
                for (int k = 0; k < tw; ++k) {
                    o[(size_t)j * stride + k] = e[0][j][k];
                    o[(size_t)(4 + j) * stride + k] = e[0][j][k] + e[1][j][k];
                    o[(size_t)(8 + j) * stride + k] = e[0][j][k] - e[1][j][k];
                    o[(size_t)(12 + j) * stride + k] = -e[1][j][k];
                }
        }
    }
}
]],
}

return winograd_helpers
