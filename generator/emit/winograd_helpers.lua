-- C helpers of the "winograd" convolution strategy (ops/conv_winograd.lua):
-- the transforms of Winograd's minimal filtering F(2x2, 3x3). Each 2x2 output
-- tile of a 3x3 stride-1 convolution is A^T [(G g G^T) .* (B^T d B)] A, where d
-- is the 4x4 input patch under the tile and g the kernel, with
--   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],
--   G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],  A^T = [1 1 1 0; 0 1 -1 -1]
-- (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
-- The transformed tensors hold the 16 patch positions as the outermost
-- dimension, so that the products for one position are one GEMM. Positions
-- lie planes * th * tw + 16 elements apart: a skew of one cache line, as 16
-- streams a power of two apart would all fall into the same cache sets (the
-- input transform ran 7x slower without it on resnet18's first layers).
local winograd_helpers = {}

winograd_helpers.ORDER = { "wino_weights", "wino_weights_grad", "wino_input", "wino_input_grad", "wino_output",
  "wino_output_grad" }

winograd_helpers.TEXT = {
  wino_weights = [[
/* u[xi][co][ci] = (G g G^T)[xi] for every kernel g = w[co][ci]. */
static inline void wino_weights(real *restrict u, const real *restrict w, int cout, int cin)
{
    const size_t stride = (size_t)cout * cin; /* one patch position */
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
    const size_t stride = (size_t)cout * cin;
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
  wino_input = [[
/* v[xi][p][ty][tx] = (B^T d B)[xi] for the 4x4 patch d of plane p (of h x w)
 * at row 2ty - top, column 2tx - left, zero outside the plane. */
static inline void wino_input(real *restrict v, const real *restrict x, int planes, int h, int w, int th, int tw,
                              int top, int left)
{
    const size_t stride = (size_t)planes * th * tw + 16; /* skewed */
    #pragma omp parallel for
    for (int p = 0; p < planes; ++p) {
        const real *xp = x + (size_t)p * h * w;
        real *vp = v + (size_t)p * th * tw;
        for (int ty = 0; ty < th; ++ty) {
            const int r0 = 2 * ty - top;
            for (int tx = 0; tx < tw; ++tx) {
                const int c0 = 2 * tx - left;
                real d[4][4];
                if (r0 >= 0 && c0 >= 0 && r0 + 4 <= h && c0 + 4 <= w) {
                    for (int a = 0; a < 4; ++a)
                        for (int b = 0; b < 4; ++b) d[a][b] = xp[(r0 + a) * w + c0 + b];
                } else {
                    for (int a = 0; a < 4; ++a)
                        for (int b = 0; b < 4; ++b) {
                            const int r = r0 + a, c = c0 + b;
                            d[a][b] = r >= 0 && r < h && c >= 0 && c < w ? xp[r * w + c] : 0;
                        }
                }
                real t[4][4]; /* B^T d */
                for (int b = 0; b < 4; ++b) {
                    t[0][b] = d[0][b] - d[2][b];
                    t[1][b] = d[1][b] + d[2][b];
                    t[2][b] = d[2][b] - d[1][b];
                    t[3][b] = d[1][b] - d[3][b];
                }
                real *o = vp + ty * tw + tx;
                for (int a = 0; a < 4; ++a) {
                    o[(size_t)(4 * a) * stride] = t[a][0] - t[a][2];
                    o[(size_t)(4 * a + 1) * stride] = t[a][1] + t[a][2];
                    o[(size_t)(4 * a + 2) * stride] = t[a][2] - t[a][1];
                    o[(size_t)(4 * a + 3) * stride] = t[a][1] - t[a][3];
                }
            }
        }
    }
}
]],
  wino_input_grad = [[
/* dx += B dv B^T patch by patch: the adjoint of wino_input. Patches overlap,
 * so each plane is one thread's. */
static inline void wino_input_grad(real *restrict dx, const real *restrict dv, int planes, int h, int w, int th,
                                   int tw, int top, int left)
{
    const size_t stride = (size_t)planes * th * tw + 16; /* skewed */
    #pragma omp parallel for
    for (int p = 0; p < planes; ++p) {
        real *xp = dx + (size_t)p * h * w;
        const real *vp = dv + (size_t)p * th * tw;
        for (int ty = 0; ty < th; ++ty) {
            const int r0 = 2 * ty - top;
            for (int tx = 0; tx < tw; ++tx) {
                const int c0 = 2 * tx - left;
                const real *o = vp + ty * tw + tx;
                real t[4][4]; /* B dv */
                for (int b = 0; b < 4; ++b) {
                    const real v0 = o[(size_t)b * stride], v1 = o[(size_t)(4 + b) * stride];
                    const real v2 = o[(size_t)(8 + b) * stride], v3 = o[(size_t)(12 + b) * stride];
                    t[0][b] = v0;
                    t[1][b] = v1 - v2 + v3;
                    t[2][b] = v1 + v2 - v0;
                    t[3][b] = -v3;
                }
                real d[4][4]; /* (B dv) B^T */
                for (int a = 0; a < 4; ++a) {
                    d[a][0] = t[a][0];
                    d[a][1] = t[a][1] - t[a][2] + t[a][3];
                    d[a][2] = t[a][1] + t[a][2] - t[a][0];
                    d[a][3] = -t[a][3];
                }
                if (r0 >= 0 && c0 >= 0 && r0 + 4 <= h && c0 + 4 <= w) {
                    for (int a = 0; a < 4; ++a)
                        for (int b = 0; b < 4; ++b) xp[(r0 + a) * w + c0 + b] += d[a][b];
                } else {
                    for (int a = 0; a < 4; ++a)
                        for (int b = 0; b < 4; ++b) {
                            const int r = r0 + a, c = c0 + b;
                            if (r >= 0 && r < h && c >= 0 && c < w) xp[r * w + c] += d[a][b];
                        }
                }
            }
        }
    }
}
]],
  wino_output = [[
/* y[p] = A^T m A tile by tile for planes p = co * n + i of ho x wo, plus
 * b[co] (b NULL for none), then max(y, 0) where relu is set (a fused relu). */
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
            for (int tx = 0; tx < tw; ++tx) {
                const real *o = mp + ty * tw + tx;
                real s[2][4]; /* A^T m */
                for (int j = 0; j < 4; ++j) {
                    const real m0 = o[(size_t)j * stride], m1 = o[(size_t)(4 + j) * stride];
                    const real m2 = o[(size_t)(8 + j) * stride], m3 = o[(size_t)(12 + j) * stride];
                    s[0][j] = m0 + m1 + m2;
                    s[1][j] = m1 - m2 - m3;
                }
                for (int a = 0; a < 2 && 2 * ty + a < ho; ++a) {
                    real out[2] = { s[a][0] + s[a][1] + s[a][2] + bias, s[a][1] - s[a][2] - s[a][3] + bias };
                    for (int c = 0; c < 2 && 2 * tx + c < wo; ++c) {
                        const real v = !relu || out[c] > 0 ? out[c] : 0;
                        yp[(2 * ty + a) * wo + 2 * tx + c] = v;
                    }
                }
            }
        }
    }
}
]],
  wino_output_grad = [[
/* dm = A dy A^T tile by tile (dy zero past the plane's edge): the adjoint of
 * wino_output before its bias and relu. */
static inline void wino_output_grad(real *restrict dm, const real *restrict dy, int planes, int ho, int wo, int th,
                                    int tw)
{
    const size_t stride = (size_t)planes * th * tw + 16; /* skewed */
    #pragma omp parallel for
    for (int p = 0; p < planes; ++p) {
        const real *yp = dy + (size_t)p * ho * wo;
        real *mp = dm + (size_t)p * th * tw;
        for (int ty = 0; ty < th; ++ty) {
            for (int tx = 0; tx < tw; ++tx) {
                real d[2][2];
                for (int a = 0; a < 2; ++a)
                    for (int c = 0; c < 2; ++c) {
                        const int r = 2 * ty + a, col = 2 * tx + c;
                        d[a][c] = r < ho && col < wo ? yp[r * wo + col] : 0;
                    }
                real u[4][2] = { /* A dy */
                    { d[0][0], d[0][1] },
                    { d[0][0] + d[1][0], d[0][1] + d[1][1] },
                    { d[0][0] - d[1][0], d[0][1] - d[1][1] },
                    { -d[1][0], -d[1][1] },
                };
                real *o = mp + ty * tw + tx;
                for (int i = 0; i < 4; ++i) {
                    o[(size_t)(4 * i) * stride] = u[i][0];
                    o[(size_t)(4 * i + 1) * stride] = u[i][0] + u[i][1];
                    o[(size_t)(4 * i + 2) * stride] = u[i][0] - u[i][1];
                    o[(size_t)(4 * i + 3) * stride] = -u[i][1];
                }
            }
        }
    }
}
]],
}

return winograd_helpers
