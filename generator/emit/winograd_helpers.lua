-- C helpers of the Winograd convolution strategies (ops/conv_winograd.lua):
-- the transforms of Winograd's minimal filtering F(m x m, 3x3) for output
-- tiles of m = 2 and 4. Each m x m output tile of a 3x3 stride-1 convolution
-- is A^T [(G g G^T) .* (B^T d B)] A, where d is the (m+2) x (m+2) input patch
-- under the tile and g the kernel (Lavin and Gray, "Fast Algorithms for
-- Convolutional Neural Networks", 2016). The helpers are written out from the
-- matrices below, one line per output with its nonzero terms only, so each
-- transform is a handful of additions per element.
--
-- The transformed tensors hold the (m+2)^2 patch positions as the outermost
-- dimension, so that the products for one position are one GEMM. Positions
-- lie a matrix + 16 elements apart: a skew of one cache line, as streams a
-- power of two apart would all fall into the same cache sets (without it the
-- input transform ran 7x slower on resnet18's first layers, and the weight
-- transform 5x slower on its last). The image transforms work a row of tiles
-- at a time, so that every inner loop runs along the tiles and vectorizes.
local winograd_helpers = {}

local MATRICES = {
  [2] = {
    BT = { { 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 } },
    G = { { 1, 0, 0 }, { 1 / 2, 1 / 2, 1 / 2 }, { 1 / 2, -1 / 2, 1 / 2 }, { 0, 0, 1 } },
    AT = { { 1, 1, 1, 0 }, { 0, 1, -1, -1 } },
  },
  [4] = {
    BT = { { 4, 0, -5, 0, 1, 0 }, { 0, -4, -4, 1, 1, 0 }, { 0, 4, -4, -1, 1, 0 }, { 0, -2, -1, 2, 1, 0 },
      { 0, 2, -1, -2, 1, 0 }, { 0, 4, 0, -5, 0, 1 } },
    G = { { 1 / 4, 0, 0 }, { -1 / 6, -1 / 6, -1 / 6 }, { -1 / 6, 1 / 6, -1 / 6 }, { 1 / 24, 1 / 12, 1 / 6 },
      { 1 / 24, -1 / 12, 1 / 6 }, { 0, 0, 1 } },
    AT = { { 1, 1, 1, 1, 1, 0 }, { 0, 1, -1, 2, -2, 0 }, { 0, 1, 1, 4, 4, 0 }, { 0, 1, -1, 8, -8, 1 } },
  },
}

local KINDS = { "weights", "weights_grad", "input", "input_grad", "output", "output_grad" }

-- The name of one helper: wino2_input, wino4_output_grad, ...
function winograd_helpers.name(m, kind)
  return string.format("wino%d_%s", m, kind)
end

-- sum_i coeffs[i] * term(i - 1) as C, zero terms left out: an integer
-- coefficient multiplies, a fraction 1/d divides (exact for powers of two
-- and the same as the multiplication to a rounding otherwise).
local function combo(coeffs, term)
  local out = {}
  for i, c in ipairs(coeffs) do
    if c ~= 0 then
      local mag, t = math.abs(c), term(i - 1)
      if mag ~= 1 then
        if mag == math.floor(mag) then
          t = string.format("%d * %s", math.floor(mag), t)
        else
          t = string.format("%s / %d", t, math.floor(1 / mag + 0.5))
        end
      end
      if #out == 0 then
        out[1] = (c < 0 and "-" or "") .. t
      else
        out[#out + 1] = (c < 0 and " - " or " + ") .. t
      end
    end
  end
  return table.concat(out)
end

local function column(matrix, j)
  local col = {}
  for i, row in ipairs(matrix) do col[i] = row[j + 1] end
  return col
end

-- "(size_t)(ALPHA * i + j) * stride + k" for position row i (j and k in C).
local function position(alpha, i)
  if i == 0 then return "(size_t)j * stride + k" end
  return string.format("(size_t)(%d + j) * stride + k", alpha * i)
end

-- C text of one helper; m is the output tile, F its matrices.
local GENERATORS = {}

function GENERATORS.weights(m, F, a)
  local L = {
    string.format("/* u[xi][co][ci] = (G g G^T)[xi] for every kernel g = w[co][ci]: F(%dx%d, 3x3). */", m, m),
    string.format("static inline void wino%d_weights(real *restrict u, const real *restrict w, int cout, int cin)", m),
    "{",
    "    const size_t stride = (size_t)cout * cin + 16; /* skewed */",
    "    #pragma omp parallel for",
    "    for (int k = 0; k < cout * cin; ++k) {",
    "        const real *g = w + (size_t)k * 9;",
    string.format("        real t[3][%d]; /* g G^T */", a),
    "        for (int r = 0; r < 3; ++r) {",
  }
  for j = 0, a - 1 do
    L[#L + 1] = string.format("            t[r][%d] = %s;", j, combo(F.G[j + 1], function(b)
      return b == 0 and "g[3 * r]" or string.format("g[3 * r + %d]", b)
    end))
  end
  L[#L + 1] = "        }"
  L[#L + 1] = string.format("        for (int j = 0; j < %d; ++j) {", a)
  for i = 0, a - 1 do
    L[#L + 1] = string.format("            u[%s] = %s;", position(a, i),
      combo(F.G[i + 1], function(r) return string.format("t[%d][j]", r) end))
  end
  L[#L + 1] = "        }"
  L[#L + 1] = "    }"
  L[#L + 1] = "}"
  return L
end

function GENERATORS.weights_grad(m, F, a)
  local L = {
    string.format("/* dw[co][ci] += G^T du G: the adjoint of wino%d_weights. */", m),
    string.format("static inline void wino%d_weights_grad(real *restrict dw, const real *restrict du, int cout, int cin)",
      m),
    "{",
    "    const size_t stride = (size_t)cout * cin + 16; /* skewed */",
    "    #pragma omp parallel for",
    "    for (int k = 0; k < cout * cin; ++k) {",
    string.format("        real s[3][%d]; /* G^T du */", a),
    string.format("        for (int j = 0; j < %d; ++j) {", a),
    string.format("            real d[%d];", a),
    string.format("            for (int i = 0; i < %d; ++i) d[i] = du[(size_t)(%d * i + j) * stride + k];", a, a),
  }
  for r = 0, 2 do
    L[#L + 1] = string.format("            s[%d][j] = %s;", r,
      combo(column(F.G, r), function(i) return string.format("d[%d]", i) end))
  end
  L[#L + 1] = "        }"
  L[#L + 1] = "        real *g = dw + (size_t)k * 9;"
  L[#L + 1] = "        for (int r = 0; r < 3; ++r) {"
  for b = 0, 2 do
    L[#L + 1] = string.format("            g[%s] += %s;", b == 0 and "3 * r" or string.format("3 * r + %d", b),
      combo(column(F.G, b), function(j) return string.format("s[r][%d]", j) end))
  end
  L[#L + 1] = "        }"
  L[#L + 1] = "    }"
  L[#L + 1] = "}"
  return L
end

-- The loops shared by the four image transforms, around `body` (lines at the
-- depth of the tile-row loop's body).
local function image_transform(header, signature, src, dst, geometry, body)
  local L = { header, signature, "{",
    "    const size_t stride = (size_t)planes * th * tw + 16; /* skewed */",
    "    #pragma omp parallel for",
    "    for (int p = 0; p < planes; ++p) {",
    string.format("        %s", src),
    string.format("        %s", dst),
  }
  if geometry then L[#L + 1] = "        " .. geometry end
  L[#L + 1] = "        for (int ty = 0; ty < th; ++ty) {"
  for _, line in ipairs(body) do L[#L + 1] = "            " .. line end
  L[#L + 1] = "        }"
  L[#L + 1] = "    }"
  L[#L + 1] = "}"
  return L
end

function GENERATORS.input(m, F, a)
  local body = {
    string.format("real t[%d][%d][tw]; /* t[r][j][tx]: row r of patch tx times B */", a, a),
    string.format("for (int r = 0; r < %d; ++r) {", a),
    string.format("    real row[%d * tw + 2];", m),
    string.format("    wino_row(row, xp, h, w, %d * ty - top + r, left, %d * tw + 2);", m, m),
    "    for (int k = 0; k < tw; ++k) {",
    string.format("        const real *e = row + %d * k;", m),
  }
  for j = 0, a - 1 do
    body[#body + 1] = string.format("        t[r][%d][k] = %s;", j,
      combo(F.BT[j + 1], function(b) return string.format("e[%d]", b) end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = "}"
  body[#body + 1] = "real *o = vp + ty * tw; /* B^T t */"
  body[#body + 1] = string.format("for (int j = 0; j < %d; ++j)", a)
  body[#body + 1] = "    for (int k = 0; k < tw; ++k) {"
  for i = 0, a - 1 do
    body[#body + 1] = string.format("        o[%s] = %s;", position(a, i),
      combo(F.BT[i + 1], function(r) return string.format("t[%d][j][k]", r) end))
  end
  body[#body + 1] = "    }"
  return image_transform(
    string.format("/* v[xi][p][ty][tx] = (B^T d B)[xi] for the %dx%d patch d of plane p (of h x w)\n" ..
      " * at row %d ty - top, column %d tx - left, zero outside the plane. */", a, a, m, m),
    string.format("static inline void wino%d_input(real *restrict v, const real *restrict x, int planes, int h, int w, " ..
      "int th, int tw,\n                               int top, int left)", m),
    "const real *xp = x + (size_t)p * h * w;", "real *vp = v + (size_t)p * th * tw;", nil, body)
end

function GENERATORS.input_grad(m, F, a)
  local body = {
    "const real *o = vp + ty * tw;",
    string.format("real t[%d][%d][tw]; /* t[r][j][tx] = (B dv)[r][j] */", a, a),
    string.format("for (int j = 0; j < %d; ++j)", a),
    "    for (int k = 0; k < tw; ++k) {",
    string.format("        real d[%d];", a),
    string.format("        for (int i = 0; i < %d; ++i) d[i] = o[(size_t)(%d * i + j) * stride + k];", a, a),
  }
  for r = 0, a - 1 do
    body[#body + 1] = string.format("        t[%d][j][k] = %s;", r,
      combo(column(F.BT, r), function(i) return string.format("d[%d]", i) end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = string.format("for (int r = 0; r < %d; ++r) {", a)
  body[#body + 1] = string.format("    const int y = %d * ty - top + r;", m)
  body[#body + 1] = "    if (y < 0 || y >= h) continue;"
  body[#body + 1] = string.format("    real row[%d * tw + 2]; /* row r of every patch times B^T; patches overlap by 2 */", m)
  local function cols(from, to, op)
    body[#body + 1] = "    for (int k = 0; k < tw; ++k) {"
    for b = from, to do
      body[#body + 1] = string.format("        row[%s] %s %s;", b == 0 and string.format("%d * k", m)
        or string.format("%d * k + %d", m, b), op,
        combo(column(F.BT, b), function(j) return string.format("t[r][%d][k]", j) end))
    end
    body[#body + 1] = "    }"
  end
  cols(0, m - 1, "=")
  body[#body + 1] = string.format("    row[%d * tw] = row[%d * tw + 1] = 0;", m, m)
  cols(m, a - 1, "+=")
  body[#body + 1] = "    real *xr = xp + (size_t)y * w;"
  body[#body + 1] = "    for (int c = 0; c < w; ++c) xr[c] += row[left + c];"
  body[#body + 1] = "}"
  return image_transform(
    string.format("/* dx += B dv B^T patch by patch: the adjoint of wino%d_input. Patches\n" ..
      " * overlap, so each plane is one thread's. */", m),
    string.format("static inline void wino%d_input_grad(real *restrict dx, const real *restrict dv, int planes, int h, " ..
      "int w, int th,\n                                    int tw, int top, int left)", m),
    "real *xp = dx + (size_t)p * h * w;", "const real *vp = dv + (size_t)p * th * tw;", nil, body)
end

function GENERATORS.output(m, F, a)
  local body = {
    "const real *o = mp + ty * tw;",
    string.format("real s[%d][%d][tw]; /* A^T m */", m, a),
    string.format("for (int j = 0; j < %d; ++j)", a),
    "    for (int k = 0; k < tw; ++k) {",
    string.format("        real d[%d];", a),
    string.format("        for (int i = 0; i < %d; ++i) d[i] = o[(size_t)(%d * i + j) * stride + k];", a, a),
  }
  for i = 0, m - 1 do
    body[#body + 1] = string.format("        s[%d][j][k] = %s;", i,
      combo(F.AT[i + 1], function(r) return string.format("d[%d]", r) end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = string.format("for (int r = 0; r < %d && %d * ty + r < ho; ++r) {", m, m)
  body[#body + 1] = string.format("    real row[%d * tw];", m)
  body[#body + 1] = "    for (int k = 0; k < tw; ++k) {"
  for c = 0, m - 1 do
    body[#body + 1] = string.format("        row[%s] = %s + bias;", c == 0 and string.format("%d * k", m)
      or string.format("%d * k + %d", m, c),
      combo(F.AT[c + 1], function(j) return string.format("s[r][%d][k]", j) end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = string.format("    real *yr = yp + (size_t)(%d * ty + r) * wo;", m)
  body[#body + 1] = "    if (relu)"
  body[#body + 1] = "        for (int c = 0; c < wo; ++c) yr[c] = row[c] > 0 ? row[c] : 0;"
  body[#body + 1] = "    else"
  body[#body + 1] = "        memcpy(yr, row, sizeof(real) * (size_t)wo);"
  body[#body + 1] = "}"
  return image_transform(
    "/* y[p] = A^T m A tile by tile for planes p = co * n + i of ho x wo, plus\n" ..
    " * b[co] (b NULL for none), then max(y, 0) where relu is set (a fused relu). */",
    string.format("static inline void wino%d_output(real *restrict y, const real *restrict m, const real *restrict b, " ..
      "int relu, int n,\n                                int planes, int ho, int wo, int th, int tw)", m),
    "real *yp = y + (size_t)p * ho * wo;", "const real *mp = m + (size_t)p * th * tw;",
    "const real bias = b ? b[p / n] : 0;", body)
end

function GENERATORS.output_grad(m, F, a)
  local body = {
    string.format("real e[%d][%d][tw]; /* e[r][j][tx]: row r of tile tx times A^T */", m, a),
    string.format("for (int r = 0; r < %d; ++r) {", m),
    string.format("    real row[%d * tw];", m),
    "    memset(row, 0, sizeof row);",
    string.format("    if (%d * ty + r < ho) memcpy(row, yp + (size_t)(%d * ty + r) * wo, sizeof(real) * (size_t)wo);", m, m),
    "    for (int k = 0; k < tw; ++k) {",
    string.format("        const real *d = row + %d * k;", m),
  }
  for j = 0, a - 1 do
    body[#body + 1] = string.format("        e[r][%d][k] = %s;", j,
      combo(column(F.AT, j), function(c) return string.format("d[%d]", c) end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = "}"
  body[#body + 1] = "real *o = mp + ty * tw; /* A e */"
  body[#body + 1] = string.format("for (int j = 0; j < %d; ++j)", a)
  body[#body + 1] = "    for (int k = 0; k < tw; ++k) {"
  for i = 0, a - 1 do
    body[#body + 1] = string.format("        o[%s] = %s;", position(a, i),
      combo(column(F.AT, i), function(r) return string.format("e[%d][j][k]", r) end))
  end
  body[#body + 1] = "    }"
  return image_transform(
    string.format("/* dm = A dy A^T tile by tile (dy zero past the plane's edge): the adjoint of\n" ..
      " * wino%d_output before its bias and relu. */", m),
    string.format("static inline void wino%d_output_grad(real *restrict dm, const real *restrict dy, int planes, " ..
      "int ho, int wo, int th,\n                                     int tw)", m),
    "const real *yp = dy + (size_t)p * ho * wo;", "real *mp = dm + (size_t)p * th * tw;", nil, body)
end

winograd_helpers.ORDER = { "wino_row" }
winograd_helpers.TEXT = {
  wino_row = [[
/* row[c] = x[r][c - left] for c in [0, len), zero outside the plane (of h x w;
 * len >= left + w): a row of input under one row of tiles. */
static inline void wino_row(real *restrict row, const real *restrict x, int h, int w, int r, int left, int len)
{
    memset(row, 0, sizeof(real) * (size_t)len);
    if (r >= 0 && r < h) memcpy(row + left, x + (size_t)r * w, sizeof(real) * (size_t)w);
}
]],
}

for _, m in ipairs({ 2, 4 }) do
  for _, kind in ipairs(KINDS) do
    local name = winograd_helpers.name(m, kind)
    winograd_helpers.ORDER[#winograd_helpers.ORDER + 1] = name
    winograd_helpers.TEXT[name] = table.concat(GENERATORS[kind](m, MATRICES[m], m + 2), "\n") .. "\n"
  end
end

return winograd_helpers
