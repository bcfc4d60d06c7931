-- Small static inline C helpers that op code calls with literal arguments, so
-- that the compiler specializes each call site to the layer's exact shape.
-- Only the helpers a model uses are emitted; "real" becomes the scalar type.
local helpers = {}

helpers.ORDER = { "valid_columns", "im2col_row", "col2im_row", "add_bias_rows", "sum_rows", "add_bias_cols", "sum_cols" }

helpers.TEXT = {
  valid_columns = [[
/* The output columns [lo, hi) whose input column ow * sw + dw lies inside 0..W-1. */
static inline void valid_columns(int W, int Wo, int sw, int dw, int *lo, int *hi)
{
    *lo = dw >= 0 ? 0 : (-dw + sw - 1) / sw;
    *hi = W - dw <= 0 ? 0 : (W - dw + sw - 1) / sw;
    if (*hi > Wo) *hi = Wo;
    if (*lo > *hi) *lo = *hi;
}
]],
  im2col_row = [[
/* One im2col row: the input plane of one channel seen through one window
 * offset (dh, dw) for every image and output position; zeros in padding.
 * The padding columns are found once, so the copy loop has no test in it. */
static inline void im2col_row(real *restrict dst, const real *restrict src, int n, int H, int W,
                              int Ho, int Wo, int sh, int sw, int dh, int dw)
{
    int lo, hi;
    valid_columns(W, Wo, sw, dw, &lo, &hi);
    for (int i = 0; i < n; ++i) {
        const real *xi = src + (size_t)i * H * W;
        real *di = dst + (size_t)i * Ho * Wo;
        for (int oh = 0; oh < Ho; ++oh) {
            const int ih = oh * sh + dh;
            real *d = di + (size_t)oh * Wo;
            if (ih < 0 || ih >= H) {
                for (int ow = 0; ow < Wo; ++ow) d[ow] = 0;
                continue;
            }
            const real *xr = xi + (size_t)ih * W;
            for (int ow = 0; ow < lo; ++ow) d[ow] = 0;
            for (int ow = lo; ow < hi; ++ow) d[ow] = xr[ow * sw + dw];
            for (int ow = hi; ow < Wo; ++ow) d[ow] = 0;
        }
    }
}
]],
  col2im_row = [[
/* The adjoint of im2col_row: adds one column-gradient row back into the
 * input-gradient plane it was read from. */
static inline void col2im_row(real *restrict dst, const real *restrict src, int n, int H, int W,
                              int Ho, int Wo, int sh, int sw, int dh, int dw)
{
    int lo, hi;
    valid_columns(W, Wo, sw, dw, &lo, &hi);
    for (int i = 0; i < n; ++i) {
        real *xi = dst + (size_t)i * H * W;
        const real *si = src + (size_t)i * Ho * Wo;
        for (int oh = 0; oh < Ho; ++oh) {
            const int ih = oh * sh + dh;
            if (ih < 0 || ih >= H) continue;
            const real *s = si + (size_t)oh * Wo;
            real *xr = xi + (size_t)ih * W;
            for (int ow = lo; ow < hi; ++ow) xr[ow * sw + dw] += s[ow];
        }
    }
}
]],
  add_bias_rows = [[
/* y[r][j] += b[r]: bias of a channel-major conv output. */
static inline void add_bias_rows(real *restrict y, const real *restrict b, int rows, int cols)
{
    #pragma omp parallel for
    for (int r = 0; r < rows; ++r) {
        real *yr = y + (size_t)r * cols;
        for (int j = 0; j < cols; ++j) yr[j] += b[r];
    }
}
]],
  sum_rows = [[
/* db[r] += sum_j dy[r][j]: bias gradient of a channel-major conv output. */
static inline void sum_rows(real *restrict db, const real *restrict dy, int rows, int cols)
{
    #pragma omp parallel for
    for (int r = 0; r < rows; ++r) {
        const real *d = dy + (size_t)r * cols;
        real sum = 0;
        for (int j = 0; j < cols; ++j) sum += d[j];
        db[r] += sum;
    }
}
]],
  add_bias_cols = [[
/* y[i][c] += b[c]: bias of a dense output. */
static inline void add_bias_cols(real *restrict y, const real *restrict b, int rows, int cols)
{
    for (int i = 0; i < rows; ++i)
        for (int c = 0; c < cols; ++c) y[(size_t)i * cols + c] += b[c];
}
]],
  sum_cols = [[
/* db[c] += sum_i dy[i][c]: bias gradient of a dense output. */
static inline void sum_cols(real *restrict db, const real *restrict dy, int rows, int cols)
{
    for (int i = 0; i < rows; ++i)
        for (int c = 0; c < cols; ++c) db[c] += dy[(size_t)i * cols + c];
}
]],
}

return helpers
