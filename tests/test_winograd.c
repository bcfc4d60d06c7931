/* The Winograd transforms (runtime/nn_winograd.h) against their matrices, applied by plain
 * loops to every tile and kernel: F(2x2, 3x3) and F(4x4, 3x3), in float and double
 * (tests/kernel_checks.h), on odd sizes with and without padding, tile rows past the 4x4
 * input transform's 8-tile vectors, and enough planes and kernels for several chunks. */
#include "kernel_checks.h"

#include "nn_winograd.h"

#define SUITE REAL_SUITE(winograd)

static const double BT2[4 * 4] = { 1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1 };
static const double G2[4 * 3] = { 1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1 };
static const double AT2[2 * 4] = { 1, 1, 1, 0, 0, 1, -1, -1 };
static const double BT4[6 * 6] = { 4, 0, -5, 0, 1, 0, 0, -4, -4, 1, 1, 0, 0, 4, -4, -1, 1, 0,
                                   0, -2, -1, 2, 1, 0, 0, 2, -1, -2, 1, 0, 0, 4, 0, -5, 0, 1 };
static const double G4[6 * 3] = { 1.0 / 4, 0, 0, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6,
                                  1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 24, -1.0 / 12, 1.0 / 6, 0, 0, 1 };
static const double AT4[4 * 6] = { 1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0, 0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1 };

/* One tile size: its matrices (B^T a x a, G a x 3, A^T m x a, a = m + 2) and transforms. */
typedef struct {
    int m;
    const double *BT, *G, *AT;
    void (*weights)(real *u, const real *w, int cout, int cin);
    void (*weights_grad)(real *dw, const real *du, int cout, int cin, int accumulate);
    void (*input)(real *v, const real *x, int planes, int h, int w, int th, int tw, int top, int left);
    void (*input_grad)(real *dx, const real *dv, int planes, int h, int w, int th, int tw, int top, int left,
                       int accumulate);
    void (*output)(real *y, const real *m, const real *b, int relu, int n, int planes, int ho, int wo, int th, int tw);
    void (*output_grad)(real *dm, const real *dy, int planes, int ho, int wo, int th, int tw);
} tiles;

static const tiles TILES[] = {
    { 2, BT2, G2, AT2, wino2_weights, wino2_weights_grad, wino2_input, wino2_input_grad, wino2_output,
      wino2_output_grad },
    { 4, BT4, G4, AT4, wino4_weights, wino4_weights_grad, wino4_input, wino4_input_grad, wino4_output,
      wino4_output_grad },
};

/* out = L in R^T for L rows x k, in k x l, R cols x l (row-major), each matrix's element (i, j)
 * at [i * its columns + j]; with magnitudes, the sum of the terms' magnitudes, for expect_near. */
static void sandwich(double *out, const double *L, const double *in, const double *R, int rows, int k, int l,
                     int cols, int magnitudes)
{
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) {
            double s = 0;
            for (int r = 0; r < k; ++r)
                for (int c = 0; c < l; ++c) {
                    const double t = L[i * k + r] * in[r * l + c] * R[j * l + c];
                    s += magnitudes ? fabs(t) : t;
                }
            out[i * cols + j] = s;
        }
}

/* The transpose of a rows x cols matrix. */
static void transpose(double *out, const double *in, int rows, int cols)
{
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) out[j * rows + i] = in[i * cols + j];
}

/* An output against the reference's value and scale (a sandwich of magnitudes). */
static void expect(real got, const double *want, const double *scale, int at, const char *what)
{
    expect_near(got, (real)want[at], (real)scale[at], what);
}

/* Kernels: cout x cin, one chunk of 256 and a chunk and a part. */
static const int KERNELS[][2] = { { 3, 5 }, { 20, 15 } };

Test(SUITE, weights)
{
    for (size_t t = 0; t < 2; ++t)
        for (size_t s = 0; s < 2; ++s) {
            const tiles *T = &TILES[t];
            const int a = T->m + 2, kernels = KERNELS[s][0] * KERNELS[s][1];
            const size_t stride = (size_t)kernels + WINOGRAD_SKEW;
            real *w = alloc((size_t)kernels * 9), *u = alloc((size_t)a * a * stride);
            fill(w, (size_t)kernels * 9, 50 + s);
            T->weights(u, w, KERNELS[s][0], KERNELS[s][1]);
            for (int k = 0; k < kernels; ++k) {
                double g[9], want[36], scale[36];
                for (int i = 0; i < 9; ++i) g[i] = w[k * 9 + i];
                sandwich(want, T->G, g, T->G, a, 3, 3, a, 0);
                sandwich(scale, T->G, g, T->G, a, 3, 3, a, 1);
                for (int xi = 0; xi < a * a; ++xi) expect(u[xi * stride + k], want, scale, xi, "weights");
            }
            free(w), free(u);
        }
}

Test(SUITE, weights_grad)
{
    for (size_t t = 0; t < 2; ++t)
        for (size_t s = 0; s < 2; ++s)
            for (int accumulate = 0; accumulate < 2; ++accumulate) {
                const tiles *T = &TILES[t];
                const int a = T->m + 2, kernels = KERNELS[s][0] * KERNELS[s][1];
                const size_t stride = (size_t)kernels + WINOGRAD_SKEW;
                real *du = alloc((size_t)a * a * stride), *dw = alloc((size_t)kernels * 9);
                real *before = alloc((size_t)kernels * 9);
                double GT[3 * 6];
                transpose(GT, T->G, a, 3);
                fill(du, (size_t)a * a * stride, 52 + s);
                fill(dw, (size_t)kernels * 9, 54);
                memcpy(before, dw, sizeof(real) * kernels * 9);
                T->weights_grad(dw, du, KERNELS[s][0], KERNELS[s][1], accumulate);
                for (int k = 0; k < kernels; ++k) {
                    double d[36], want[9], scale[9];
                    for (int xi = 0; xi < a * a; ++xi) d[xi] = du[xi * stride + k];
                    sandwich(want, GT, d, GT, 3, a, a, 3, 0);
                    sandwich(scale, GT, d, GT, 3, a, a, 3, 1);
                    for (int i = 0; i < 9 && accumulate; ++i) {
                        want[i] += before[k * 9 + i];
                        scale[i] += fabs(before[k * 9 + i]);
                    }
                    for (int i = 0; i < 9; ++i) expect(dw[k * 9 + i], want, scale, i, "weights_grad");
                }
                free(du), free(dw), free(before);
            }
}

/* Images: planes of h x w, the padding at the top and left, the output's size (a 3x3
 * convolution, "same" or valid). */
typedef struct {
    int planes, h, w, top, left, ho, wo;
} image;

static const image IMAGES[] = { { 15, 5, 35, 1, 1, 5, 35 }, { 4, 6, 9, 0, 0, 4, 7 } };

/* The tiles of an image, the stride between the transformed tensors' patch positions, and
 * the offset of tile (p, ty, tx) in a position. */
typedef struct {
    int th, tw;
    size_t stride;
} tiling;

static tiling tile(const tiles *T, const image *im)
{
    tiling t = { (im->ho + T->m - 1) / T->m, (im->wo + T->m - 1) / T->m, 0 };
    t.stride = (size_t)im->planes * t.th * t.tw + WINOGRAD_SKEW;
    return t;
}

static size_t tile_at(const tiling *t, int p, int ty, int tx)
{
    return ((size_t)p * t->th + ty) * t->tw + tx;
}

Test(SUITE, row)
{
    const int h = 3, w = 5, left = 2, len = 11;
    real x[15], row[11], want[11];
    fill(x, 15, 56);
    for (int r = -1; r <= h; ++r) {
        fill(row, len, 57);
        for (int c = 0; c < len; ++c) want[c] = r >= 0 && r < h && c >= left && c < left + w ? x[r * w + c - left] : 0;
        wino_row(row, x, h, w, r, left, len);
        expect_equal(row, want, len, "wino_row");
    }
}

Test(SUITE, input)
{
    for (size_t t = 0; t < 2; ++t)
        for (size_t i = 0; i < 2; ++i) {
            const tiles *T = &TILES[t];
            const image *im = &IMAGES[i];
            const tiling tl = tile(T, im);
            const int m = T->m, a = m + 2;
            real *x = alloc((size_t)im->planes * im->h * im->w), *v = alloc((size_t)a * a * tl.stride);
            fill(x, (size_t)im->planes * im->h * im->w, 58 + i);
            T->input(v, x, im->planes, im->h, im->w, tl.th, tl.tw, im->top, im->left);
            for (int p = 0; p < im->planes; ++p)
                for (int ty = 0; ty < tl.th; ++ty)
                    for (int tx = 0; tx < tl.tw; ++tx) {
                        double d[36], want[36], scale[36];
                        for (int r = 0; r < a; ++r)
                            for (int c = 0; c < a; ++c) {
                                const int y = m * ty - im->top + r, xc = m * tx - im->left + c;
                                const int inside = y >= 0 && y < im->h && xc >= 0 && xc < im->w;
                                d[r * a + c] = inside ? x[((size_t)p * im->h + y) * im->w + xc] : 0;
                            }
                        sandwich(want, T->BT, d, T->BT, a, a, a, a, 0);
                        sandwich(scale, T->BT, d, T->BT, a, a, a, a, 1);
                        for (int xi = 0; xi < a * a; ++xi)
                            expect(v[xi * tl.stride + tile_at(&tl, p, ty, tx)], want, scale, xi, "input");
                    }
            free(x), free(v);
        }
}

Test(SUITE, input_grad)
{
    for (size_t t = 0; t < 2; ++t)
        for (size_t i = 0; i < 2; ++i)
            for (int accumulate = 0; accumulate < 2; ++accumulate) {
                const tiles *T = &TILES[t];
                const image *im = &IMAGES[i];
                const tiling tl = tile(T, im);
                const int m = T->m, a = m + 2;
                const size_t size = (size_t)im->planes * im->h * im->w;
                real *dv = alloc((size_t)a * a * tl.stride), *dx = alloc(size);
                double *want = calloc(size, sizeof(double)), *scale = calloc(size, sizeof(double)), B[36];
                cr_assert(want && scale);
                transpose(B, T->BT, a, a);
                fill(dv, (size_t)a * a * tl.stride, 60 + i);
                fill(dx, size, 62);
                for (size_t k = 0; k < size && accumulate; ++k) {
                    want[k] = dx[k];
                    scale[k] = fabs(dx[k]);
                }
                for (int p = 0; p < im->planes; ++p)
                    for (int ty = 0; ty < tl.th; ++ty)
                        for (int tx = 0; tx < tl.tw; ++tx) {
                            double d[36], patch[36], mag[36];
                            for (int xi = 0; xi < a * a; ++xi) d[xi] = dv[xi * tl.stride + tile_at(&tl, p, ty, tx)];
                            sandwich(patch, B, d, B, a, a, a, a, 0);
                            sandwich(mag, B, d, B, a, a, a, a, 1);
                            for (int r = 0; r < a; ++r)
                                for (int c = 0; c < a; ++c) {
                                    const int y = m * ty - im->top + r, xc = m * tx - im->left + c;
                                    if (y < 0 || y >= im->h || xc < 0 || xc >= im->w) continue;
                                    want[((size_t)p * im->h + y) * im->w + xc] += patch[r * a + c];
                                    scale[((size_t)p * im->h + y) * im->w + xc] += mag[r * a + c];
                                }
                        }
                T->input_grad(dx, dv, im->planes, im->h, im->w, tl.th, tl.tw, im->top, im->left, accumulate);
                for (size_t k = 0; k < size; ++k) expect(dx[k], want, scale, (int)k, "input_grad");
                free(dv), free(dx), free(want), free(scale);
            }
}

Test(SUITE, output)
{
    const int n = 3;
    for (size_t t = 0; t < 2; ++t)
        for (size_t i = 0; i < 2; ++i)
            for (int bias = 0; bias < 2; ++bias)
                for (int relu = 0; relu < 2; ++relu) {
                    const tiles *T = &TILES[t];
                    image im = IMAGES[i];
                    im.planes = 5 * n; /* output channels x images */
                    const tiling tl = tile(T, &im);
                    const int m = T->m, a = m + 2;
                    const size_t size = (size_t)im.planes * im.ho * im.wo;
                    real *mm = alloc((size_t)a * a * tl.stride), *y = alloc(size), b[5];
                    fill(mm, (size_t)a * a * tl.stride, 64 + i);
                    fill(b, 5, 66);
                    fill(y, size, 67); /* every value written */
                    T->output(y, mm, bias ? b : NULL, relu, n, im.planes, im.ho, im.wo, tl.th, tl.tw);
                    for (int p = 0; p < im.planes; ++p)
                        for (int ty = 0; ty < tl.th; ++ty)
                            for (int tx = 0; tx < tl.tw; ++tx) {
                                double d[36], want[16], scale[16];
                                for (int xi = 0; xi < a * a; ++xi) d[xi] = mm[xi * tl.stride + tile_at(&tl, p, ty, tx)];
                                sandwich(want, T->AT, d, T->AT, m, a, a, m, 0);
                                sandwich(scale, T->AT, d, T->AT, m, a, a, m, 1);
                                for (int r = 0; r < m; ++r)
                                    for (int c = 0; c < m; ++c) {
                                        const int oy = m * ty + r, ox = m * tx + c, k = r * m + c;
                                        if (oy >= im.ho || ox >= im.wo) continue;
                                        want[k] += bias ? b[p / n] : 0;
                                        scale[k] += bias ? fabs(b[p / n]) : 0;
                                        if (relu && want[k] < 0) want[k] = 0;
                                        expect(y[((size_t)p * im.ho + oy) * im.wo + ox], want, scale, k, "output");
                                    }
                            }
                    free(mm), free(y);
                }
}

Test(SUITE, output_grad)
{
    for (size_t t = 0; t < 2; ++t)
        for (size_t i = 0; i < 2; ++i) {
            const tiles *T = &TILES[t];
            const image *im = &IMAGES[i];
            const tiling tl = tile(T, im);
            const int m = T->m, a = m + 2;
            const size_t size = (size_t)im->planes * im->ho * im->wo;
            real *dy = alloc(size), *dm = alloc((size_t)a * a * tl.stride);
            double A[24];
            transpose(A, T->AT, m, a);
            fill(dy, size, 68 + i);
            T->output_grad(dm, dy, im->planes, im->ho, im->wo, tl.th, tl.tw);
            for (int p = 0; p < im->planes; ++p)
                for (int ty = 0; ty < tl.th; ++ty)
                    for (int tx = 0; tx < tl.tw; ++tx) {
                        double d[16], want[36], scale[36];
                        for (int r = 0; r < m; ++r)
                            for (int c = 0; c < m; ++c) {
                                const int oy = m * ty + r, ox = m * tx + c;
                                const int inside = oy < im->ho && ox < im->wo;
                                d[r * m + c] = inside ? dy[((size_t)p * im->ho + oy) * im->wo + ox] : 0;
                            }
                        sandwich(want, A, d, A, a, m, m, a, 0);
                        sandwich(scale, A, d, A, a, m, m, a, 1);
                        for (int xi = 0; xi < a * a; ++xi)
                            expect(dm[xi * tl.stride + tile_at(&tl, p, ty, tx)], want, scale, xi, "output_grad");
                    }
            free(dy), free(dm);
        }
}
