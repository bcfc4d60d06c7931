/* The kernels the generated models share (runtime/nn_vec.h, nn_kernels.h, nn_direct.h)
 * against plain loops, on small inputs with odd sizes and vector tails; the Winograd
 * transforms are in test_winograd.c. The headers are written over `real`: tests/tests.mk
 * compiles this file with -DREAL_FLOAT=1 and with -DREAL_FLOAT=0 and links both into one
 * binary, whose suites are kernels_float and kernels_double. */
#include "kernel_checks.h"

#include "nn_direct.h"
#include "nn_kernels.h"

#define SUITE REAL_SUITE(kernels)

Test(SUITE, lane_sums)
{
    real x[WIDE_LANES], sum = 0, scale = 0;
    fill(x, WIDE_LANES, 1);
    for (int l = 0; l < WIDE_LANES; ++l) {
        sum += x[l];
        scale += fabs(x[l]);
    }
    vwide w;
    vwload(&w, x);
    expect_near(vwsum(&w), sum, scale, "vwsum");
    vreal v;
    vload(&v, x);
    real sum8 = 0, scale8 = 0;
    for (int l = 0; l < 8; ++l) {
        sum8 += x[l];
        scale8 += fabs(x[l]);
    }
    expect_near(vsum(&v), sum8, scale8, "vsum");
}

/* valid_columns against every column tried one by one: [lo, hi) is exactly the inside ones. */
Test(SUITE, valid_columns)
{
    for (int W = 1; W <= 9; ++W)
        for (int Wo = 1; Wo <= 9; ++Wo)
            for (int sw = 1; sw <= 3; ++sw)
                for (int dw = -4; dw <= 4; ++dw) {
                    int lo, hi;
                    valid_columns(W, Wo, sw, dw, &lo, &hi);
                    cr_assert(lo <= hi && lo >= 0 && hi <= Wo, "W %d Wo %d sw %d dw %d: [%d, %d)", W, Wo, sw, dw, lo,
                              hi);
                    for (int ow = 0; ow < Wo; ++ow) {
                        const int iw = ow * sw + dw, inside = iw >= 0 && iw < W;
                        cr_assert_eq(inside, ow >= lo && ow < hi, "W %d Wo %d sw %d dw %d: column %d", W, Wo, sw, dw,
                                     ow);
                    }
                }
}

/* Geometries of im2col rows: input H x W, output Ho x Wo, strides, window offsets (negative
 * ones read the padding). */
static const int ROWS[][8] = {
    { 5, 7, 5, 7, 1, 1, -1, -1 }, { 5, 7, 5, 7, 1, 1, 1, 1 }, { 7, 9, 4, 5, 2, 2, 0, -1 },
    { 7, 9, 3, 3, 3, 3, 2, 1 },   { 1, 13, 1, 6, 1, 2, 0, 3 }, { 4, 4, 6, 6, 1, 1, -3, 2 },
};

Test(SUITE, im2col_and_col2im_rows)
{
    const int n = 3;
    for (size_t t = 0; t < sizeof ROWS / sizeof ROWS[0]; ++t) {
        const int H = ROWS[t][0], W = ROWS[t][1], Ho = ROWS[t][2], Wo = ROWS[t][3], sh = ROWS[t][4],
                  sw = ROWS[t][5], dh = ROWS[t][6], dw = ROWS[t][7];
        const size_t in = (size_t)n * H * W, out = (size_t)n * Ho * Wo;
        real *x = alloc(in), *col = alloc(out), *want = alloc(out), *dx = alloc(in), *dx_want = alloc(in);
        fill(x, in, 10 + t);
        fill(col, out, 20 + t); /* overwritten everywhere */
        fill(dx, in, 30 + t);
        memcpy(dx_want, dx, sizeof(real) * in);
        for (int i = 0; i < n; ++i)
            for (int oh = 0; oh < Ho; ++oh)
                for (int ow = 0; ow < Wo; ++ow) {
                    const int ih = oh * sh + dh, iw = ow * sw + dw;
                    const size_t o = ((size_t)i * Ho + oh) * Wo + ow;
                    const int inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                    want[o] = inside ? x[((size_t)i * H + ih) * W + iw] : 0;
                    if (inside) dx_want[((size_t)i * H + ih) * W + iw] += want[o];
                }
        im2col_row(col, x, n, H, W, Ho, Wo, sh, sw, dh, dw);
        expect_equal(col, want, out, "im2col_row");
        col2im_row(dx, want, n, H, W, Ho, Wo, sh, sw, dh, dw);
        expect_equal(dx, dx_want, in, "col2im_row");
        free(x), free(col), free(want), free(dx), free(dx_want);
    }
}

Test(SUITE, add_bias_rows)
{
    const int rows = 5, cols = 13;
    real y[5 * 13], want[5 * 13], b[5];
    fill(b, rows, 2);
    for (int bias = 0; bias < 2; ++bias)
        for (int relu = 0; relu < 2; ++relu) {
            fill(y, (size_t)rows * cols, 3);
            for (int r = 0; r < rows; ++r)
                for (int j = 0; j < cols; ++j) {
                    const real v = y[r * cols + j] + (bias ? b[r] : 0);
                    want[r * cols + j] = relu && !(v > 0) ? 0 : v;
                }
            add_bias_rows(y, bias ? b : NULL, rows, cols, relu);
            expect_equal(y, want, (size_t)rows * cols, "add_bias_rows");
        }
}

Test(SUITE, relu_mask)
{
    real dy[37], y[37], want[37];
    fill(dy, 37, 4);
    fill(y, 37, 5);
    for (int i = 0; i < 37; ++i) want[i] = y[i] > 0 ? dy[i] : 0;
    relu_mask(dy, y, 37);
    expect_equal(dy, want, 37, "relu_mask");
}

/* Bias gradients of channel-major outputs, with and without a fused relu's mask. */
Test(SUITE, sum_rows)
{
    const int rows = 3, cols = 19;
    real dy[3 * 19], masked[3 * 19], y[3 * 19], db[3], want[3], scale[3];
    fill(y, (size_t)rows * cols, 6);
    for (int relu = 0; relu < 2; ++relu)
        for (int accumulate = 0; accumulate < 2; ++accumulate) {
            fill(dy, (size_t)rows * cols, 7);
            fill(db, rows, 8);
            for (int r = 0; r < rows; ++r) {
                want[r] = accumulate ? db[r] : 0;
                scale[r] = fabs(want[r]);
                for (int j = 0; j < cols; ++j) {
                    const real g = relu && !(y[r * cols + j] > 0) ? 0 : dy[r * cols + j];
                    masked[r * cols + j] = g;
                    want[r] += g;
                    scale[r] += fabs(g);
                }
            }
            sum_rows(db, dy, relu ? y : NULL, rows, cols, accumulate);
            for (int r = 0; r < rows; ++r) expect_near(db[r], want[r], scale[r], "sum_rows");
            expect_equal(dy, masked, (size_t)rows * cols, "sum_rows' masked dy");
        }
}

/* The batch norm's sums in double, over lengths with and without a vector tail. */
Test(SUITE, sum_and_dot)
{
    static const int LENGTHS[] = { 1, 7, 8, 13, 37 };
    real dy[37], x[37], y[37];
    fill(dy, 37, 9);
    fill(x, 37, 10);
    fill(y, 37, 11);
    for (size_t t = 0; t < sizeof LENGTHS / sizeof LENGTHS[0]; ++t)
        for (int relu = 0; relu < 2; ++relu) {
            const int m = LENGTHS[t];
            double sum = 0, dot = 0, scale = 0, got_sum, got_dot;
            for (int j = 0; j < m; ++j) {
                const double g = relu && !(y[j] > 0) ? 0 : dy[j];
                sum += g;
                dot += g * x[j];
                scale += fabs(g) * (1 + fabs(x[j]));
            }
            sum_and_dot(dy, relu ? y : NULL, x, m, &got_sum, &got_dot);
            cr_assert(fabs(got_sum - sum) <= 64 * DBL_EPSILON * scale, "sum over %d: %g, not %g", m, got_sum, sum);
            cr_assert(fabs(got_dot - dot) <= 64 * DBL_EPSILON * scale, "dot over %d: %g, not %g", m, got_dot, dot);
        }
    double sq, sq2; /* with dy = x: the sum and the sum of squares */
    sum_and_dot(x, NULL, x, 13, &sq, &sq2);
    double want = 0;
    for (int j = 0; j < 13; ++j) want += (double)x[j] * x[j];
    cr_assert(fabs(sq2 - want) <= 64 * DBL_EPSILON * want, "sum of squares %g, not %g", sq2, want);
}

/* The dense layer's bias, bias gradient and outer product at batch 1. */
Test(SUITE, dense)
{
    const int rows = 3, cols = 11;
    real y[3 * 11], want[3 * 11], b[11], db[11], dbw[11], scale[11], dy[3], x[11];
    fill(y, (size_t)rows * cols, 12);
    fill(b, cols, 13);
    for (int i = 0; i < rows; ++i)
        for (int c = 0; c < cols; ++c) want[i * cols + c] = y[i * cols + c] + b[c];
    add_bias_cols(y, b, rows, cols);
    expect_equal(y, want, (size_t)rows * cols, "add_bias_cols");

    for (int accumulate = 0; accumulate < 2; ++accumulate) {
        fill(db, cols, 14);
        for (int c = 0; c < cols; ++c) {
            dbw[c] = accumulate ? db[c] : 0;
            scale[c] = fabs(dbw[c]);
            for (int i = 0; i < rows; ++i) {
                dbw[c] += y[i * cols + c];
                scale[c] += fabs(y[i * cols + c]);
            }
        }
        sum_cols(db, y, rows, cols, accumulate);
        for (int c = 0; c < cols; ++c) expect_near(db[c], dbw[c], scale[c], "sum_cols");
    }

    fill(dy, rows, 15);
    fill(x, cols, 16);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) want[r * cols + c] = dy[r] * x[c];
    outer(y, dy, x, rows, cols);
    expect_equal(y, want, (size_t)rows * cols, "outer");
}

#if REAL_FLOAT
/* The runtime's side of the fused optimizer step, recorded: what outer_update hands to the
 * optimizer, piece by piece, must be the outer product, each piece at its own parameters. */
enum { FUSED_ROWS = 5, FUSED_COLS = 2048 + 37 };
static float fused_grad[FUSED_ROWS * FUSED_COLS], *fused_params;
static int fused_pieces, fused_done, fused_misplaced;

void nn_fused_apply(struct nn_fused_update *f, int t, size_t first, size_t count, float *p, const float *g)
{
    (void)f;
    if (t != 3 || p != fused_params + first || count > 2048 || first % FUSED_COLS + count > FUSED_COLS) {
        #pragma omp atomic
        ++fused_misplaced;
    }
    memcpy(fused_grad + first, g, sizeof(float) * count);
    #pragma omp atomic
    ++fused_pieces;
}

void nn_fused_done(struct nn_fused_update *f, int t)
{
    (void)f;
    cr_assert_eq(t, 3);
    ++fused_done;
}

Test(SUITE, outer_update)
{
    static float w[FUSED_ROWS * FUSED_COLS], want[FUSED_ROWS * FUSED_COLS];
    float dy[FUSED_ROWS], x[FUSED_COLS];
    fill(dy, FUSED_ROWS, 17);
    dy[1] = dy[3] = 0; /* rows a relu masked: zeros, not products */
    fill(x, FUSED_COLS, 18);
    for (int r = 0; r < FUSED_ROWS; ++r)
        for (int c = 0; c < FUSED_COLS; ++c) want[r * FUSED_COLS + c] = dy[r] != 0 ? dy[r] * x[c] : 0;
    fill(fused_grad, FUSED_ROWS * FUSED_COLS, 19);
    fused_params = w;
    outer_update(NULL, 3, w, dy, x, FUSED_ROWS, FUSED_COLS);
    cr_assert_eq(fused_misplaced, 0);
    cr_assert_eq(fused_pieces, 2 * FUSED_ROWS, "%d pieces", fused_pieces);
    cr_assert_eq(fused_done, 1);
    expect_equal(fused_grad, want, FUSED_ROWS * FUSED_COLS, "outer_update");
}
#endif

Test(SUITE, pad_plane)
{
    const int h = 3, w = 13, top = 2, left = 1, hp = 6, wp = 16;
    real src[3 * 13], y[3 * 13], dst[6 * 16], want[6 * 16];
    fill(src, (size_t)h * w, 20);
    fill(y, (size_t)h * w, 21);
    for (int relu = 0; relu < 2; ++relu) {
        fill(dst, (size_t)hp * wp, 22); /* every value written */
        memset(want, 0, sizeof want);
        for (int r = 0; r < h; ++r)
            for (int c = 0; c < w; ++c)
                want[(r + top) * wp + left + c] = relu && !(y[r * w + c] > 0) ? 0 : src[r * w + c];
        pad_plane(dst, src, relu ? y : NULL, h, w, hp, wp, top, left);
        expect_equal(dst, want, (size_t)hp * wp, "pad_plane");
    }
}

Test(SUITE, transpose8)
{
    const size_t ds = 11;
    real src[64], dst[8 * 11], want[8 * 11];
    vreal r[8];
    fill(src, 64, 23);
    for (int k = 0; k < 8; ++k) vload(&r[k], src + 8 * k);
    fill(dst, 8 * ds, 24);
    memcpy(want, dst, sizeof want);
    for (int k = 0; k < 8; ++k)
        for (int j = 0; j < 8; ++j) want[j * ds + k] = src[8 * k + j];
    transpose8(dst, ds, r);
    expect_equal(dst, want, 8 * ds, "transpose8");
}

/* Planes to and from the channels-last layout, with a column tail past the 8x8 blocks. */
Test(SUITE, channels_last)
{
    enum { CIN = 16, H = 3, WD = 11, HQ = 5, WQ = 14, TOP = 1, LEFT = 2, CS = H * WD + 5 };
    real src[CIN * CS], dst[HQ * WQ * CIN], want[HQ * WQ * CIN], back[CIN * CS], back_want[CIN * CS];
    fill(src, CIN * CS, 25);
    fill(dst, HQ * WQ * CIN, 26);
    memset(want, 0, sizeof want);
    for (int c = 0; c < CIN; ++c)
        for (int r = 0; r < H; ++r)
            for (int col = 0; col < WD; ++col)
                want[((TOP + r) * WQ + LEFT + col) * CIN + c] = src[c * CS + r * WD + col];
    to_channels_last(dst, src, CS, CIN, H, WD, HQ, WQ, TOP, LEFT);
    expect_equal(dst, want, HQ * WQ * CIN, "to_channels_last");

    fill(dst, HQ * WQ * CIN, 27);
    for (int accumulate = 0; accumulate < 2; ++accumulate) {
        fill(back, CIN * CS, 28);
        memcpy(back_want, back, sizeof back);
        for (int c = 0; c < CIN; ++c)
            for (int r = 0; r < H; ++r)
                for (int col = 0; col < WD; ++col) {
                    const real v = dst[((TOP + r) * WQ + LEFT + col) * CIN + c];
                    real *b = &back_want[c * CS + r * WD + col];
                    *b = accumulate ? *b + v : v;
                }
        from_channels_last(back, CS, dst, CIN, H, WD, WQ, TOP, LEFT, accumulate);
        expect_equal(back, back_want, CIN * CS, "from_channels_last");
    }
}

/* A block of an output gradient transposed, fewer than 8 rows and all 8, masked by a fused
 * relu or not, with the rows' sums. */
Test(SUITE, transpose_block)
{
    const size_t ss = 9, ds = 10;
    real src[8 * 9], y[8 * 9], dst[8 * 10], want[8 * 10], sums_want[8][8];
    fill(src, 8 * ss, 29);
    fill(y, 8 * ss, 30);
    for (int rows = 5; rows <= 8; rows += 3)
        for (int relu = 0; relu < 2; ++relu) {
            vreal sums[8];
            real start[64];
            fill(start, 64, 31);
            for (int k = 0; k < 8; ++k) vload(&sums[k], start + 8 * k);
            fill(dst, 8 * ds, 32);
            memcpy(want, dst, sizeof want);
            for (int k = 0; k < 8; ++k)
                for (int j = 0; j < 8; ++j) {
                    real v = k < rows ? src[k * ss + j] : 0;
                    if (relu && k < rows && !(y[k * ss + j] > 0)) v = 0;
                    want[j * ds + k] = v;
                    sums_want[k][j] = start[8 * k + j] + v;
                }
            transpose_block(dst, ds, src, relu ? y : NULL, ss, rows, sums);
            expect_equal(dst, want, 8 * ds, "transpose_block");
            for (int k = 0; k < 8; ++k) {
                real got[8];
                memcpy(got, &sums[k], sizeof got);
                expect_equal(got, sums_want[k], 8, "transpose_block's sums");
            }
        }
}

Test(SUITE, unwiden)
{
    const int rows = 3, ws = 16, wo = 11;
    real yw[3 * 16], y[3 * 11], want[3 * 11];
    fill(yw, (size_t)rows * ws, 33);
    for (int accumulate = 0; accumulate < 2; ++accumulate) {
        fill(y, (size_t)rows * wo, 34);
        for (int r = 0; r < rows; ++r)
            for (int j = 0; j < wo; ++j) want[r * wo + j] = (accumulate ? y[r * wo + j] : 0) + yw[r * ws + j];
        unwiden(y, yw, rows, ws, wo, accumulate);
        expect_equal(y, want, (size_t)rows * wo, "unwiden");
    }
}

/* The maximum of a 2x2 window whose values are v[0..3] in row order (the first of equal
 * ones), and its offset in a plane of rows cw long. */
static int window_max(const real v[4], int cw, real *m)
{
    static const int dr[4] = { 0, 0, 1, 1 }, dc[4] = { 0, 1, 0, 1 };
    int best = 0;
    for (int x = 1; x < 4; ++x)
        if (v[x] > v[best]) best = x;
    *m = v[best];
    return dr[best] * cw + dc[best];
}

/* The 2x2 max pool of a band of wide rows, with ties (values from a few levels), outputs past
 * the 8-wide vectors, and its reads past the last window. */
Test(SUITE, max_pool_band)
{
    enum { PROWS = 2, WO = 11, WS = 40, CW = 23, AT = 1000 };
    real yw[2 * PROWS * WS + 16], y[PROWS * WO], want[PROWS * WO];
    int32_t arg[PROWS * WO], arg_want[PROWS * WO];
    fill_levels(yw, 2 * PROWS * WS + 16, 35);
    for (int r = 0; r < PROWS; ++r)
        for (int j = 0; j < WO; ++j) {
            const real *e = yw + (size_t)2 * r * WS + 2 * j;
            const real v[4] = { e[0], e[1], e[WS], e[WS + 1] };
            arg_want[r * WO + j] = AT + 2 * r * CW + 2 * j + window_max(v, CW, &want[r * WO + j]);
        }
    max_pool_band(y, arg, yw, PROWS, WS, WO, CW, AT);
    expect_equal(y, want, PROWS * WO, "max_pool_band");
    for (int o = 0; o < PROWS * WO; ++o) cr_assert_eq(arg[o], arg_want[o], "max_pool_band's argmax %d", o);
}

/* The 2x2 max pool of one window, a vector of channels per output, after a fused relu. */
Test(SUITE, max_pool_lanes)
{
    enum { STRIDE = 3, CW = 17, FIRST = 40 };
    real v[4 * WIDE_LANES], y[WIDE_LANES * STRIDE];
    int32_t arg[WIDE_LANES * STRIDE];
    vwide win[4];
    fill_levels(v, 4 * WIDE_LANES, 36);
    for (int x = 0; x < 4; ++x) vwload(&win[x], v + x * WIDE_LANES);
    max_pool_lanes(y, arg, win, FIRST, CW, STRIDE);
    for (int l = 0; l < WIDE_LANES; ++l) {
        real w[4], m;
        for (int x = 0; x < 4; ++x) w[x] = v[x * WIDE_LANES + l] > 0 ? v[x * WIDE_LANES + l] : 0;
        const int32_t at = FIRST + window_max(w, CW, &m);
        expect_equal(&y[l * STRIDE], &m, 1, "max_pool_lanes");
        cr_assert_eq(arg[l * STRIDE], at, "max_pool_lanes' argmax, lane %d", l);
    }
}

/* A row of a convolution's output gradient rebuilt from the 2x2 max pool after it, a vector
 * at a time: whole vectors and a tail of fewer windows. */
Test(SUITE, unpool_vector)
{
    enum { FIRST = 30 };
    for (int pooled = 1; pooled <= WIDE_LANES / 2; ++pooled) {
        real g[WIDE_LANES / 2], y[WIDE_LANES / 2], got[WIDE_LANES], want[WIDE_LANES];
        int32_t arg[WIDE_LANES / 2];
        fill(g, pooled, 37);
        fill(y, pooled, 38);
        /* window i's maximum on this row, at lane 2i or 2i + 1, or (i = 2, 5, ...) on the next */
        for (int i = 0; i < pooled; ++i) arg[i] = i % 3 == 2 ? FIRST + 2 * i + 50 : FIRST + 2 * i + i % 3;
        vwide gv, dv;
        vwlanes at;
        unpool_vector(&gv, &at, g, arg, y, pooled);
        unpool_lanes(&dv, &gv, &at, FIRST);
        memcpy(got, &dv, sizeof got);
        for (int l = 0; l < WIDE_LANES; ++l) {
            const int i = l / 2;
            want[l] = i < pooled && y[i] > 0 && arg[i] == FIRST + l ? g[i] : 0;
        }
        expect_equal(got, want, WIDE_LANES, "unpool_lanes");
    }
}

Test(SUITE, unpool_plane)
{
    enum { WO = 6, COUNT = 6, TOP = 1, LEFT = 2, WP = 9, PLANE = 7 * WP }; /* 2 x 3 windows of 4 x 6 */
    real g[COUNT], y[COUNT], dst[PLANE], want[PLANE];
    int32_t arg[COUNT];
    fill(g, COUNT, 39);
    fill(y, COUNT, 40);
    for (int o = 0; o < COUNT; ++o) { /* window o's maximum, somewhere in it */
        const int row = 2 * (o / 3) + o % 2, col = 2 * (o % 3) + o / 2 % 2;
        arg[o] = row * WO + col;
    }
    fill(dst, PLANE, 41);
    memset(want, 0, sizeof want);
    for (int o = 0; o < COUNT; ++o)
        if (y[o] > 0) want[(arg[o] / WO + TOP) * WP + arg[o] % WO + LEFT] = g[o];
    unpool_plane(dst, g, arg, y, COUNT, WO, PLANE, WP, TOP, LEFT);
    expect_equal(dst, want, PLANE, "unpool_plane");
}
