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
-- transform 5x slower on its last). The transforms work in chunks (of tiles
-- or kernels) so that the pass along the patch positions is one long SIMD
-- loop per output.
local winograd_helpers = {}

-- Elements between consecutive patch positions beyond the matrix: the skew.
winograd_helpers.SKEW = 16

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

-- C text of one helper; m is the output tile, F its matrices.
local GENERATORS = {}

-- The weight transforms take the kernels in chunks of KERNELS: a pass per
-- kernel along its 3x3 taps, then a SIMD loop over the chunk per patch
-- position, which is contiguous in u and du.
local KERNELS = 256

-- "(size_t)(a i + j) * stride + index" for a constant position row i (j and
-- the index in C): one element of position a i + j of a skewed tensor.
local function position(a, i, index)
  if i == 0 then return "(size_t)j * stride + " .. index end
  return string.format("(size_t)(%d + j) * stride + %s", a * i, index)
end

-- name[offset + index] for a literal offset.
local function shifted(name, offset, index)
  if offset == 0 then return string.format("%s[%s]", name, index) end
  return string.format("%s[%d + %s]", name, offset, index)
end

-- row[m k + c]: column c of tile k in a row of m-wide tiles.
local function tile_column(m, c)
  if c == 0 then return string.format("row[%d * k]", m) end
  return string.format("row[%d * k + %d]", m, c)
end

local function kernel_chunks(header, signature, body)
  local L = { header, signature, "{",
    string.format("    const size_t stride = (size_t)cout * cin + %d; /* skewed */", winograd_helpers.SKEW),
    "    const int kernels = cout * cin;",
    "    #pragma omp parallel for",
    string.format("    for (int k0 = 0; k0 < kernels; k0 += %d) {", KERNELS),
    string.format("        const int nq = kernels - k0 < %d ? kernels - k0 : %d;", KERNELS, KERNELS),
  }
  for _, line in ipairs(body) do L[#L + 1] = "        " .. line end
  L[#L + 1] = "    }"
  L[#L + 1] = "}"
  return L
end

function GENERATORS.weights(m, F, a)
  local body = {
    string.format("real t[%d]; /* t[(%d r + j) * %d + q] = (g G^T)[r][j] of kernel k0 + q */", 3 * a * KERNELS, a,
      KERNELS),
    "for (int q = 0; q < nq; ++q) {",
    "    const real *g = w + (size_t)(k0 + q) * 9;",
    "    for (int r = 0; r < 3; ++r) {",
    string.format("        real *tr = t + (size_t)%d * r + q;", a * KERNELS),
  }
  for j = 0, a - 1 do
    body[#body + 1] = string.format("        tr[%d] = %s;", j * KERNELS, combo(F.G[j + 1], function(b)
      return b == 0 and "g[3 * r]" or string.format("g[3 * r + %d]", b)
    end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = "}"
  body[#body + 1] = string.format("for (int j = 0; j < %d; ++j) {", a)
  body[#body + 1] = string.format("    const real *tj = t + (size_t)j * %d;", KERNELS)
  body[#body + 1] = "    #pragma omp simd"
  body[#body + 1] = "    for (int q = 0; q < nq; ++q) {"
  for i = 0, a - 1 do
    body[#body + 1] = string.format("        u[%s] = %s;", position(a, i, "k0 + q"),
      combo(F.G[i + 1], function(r) return shifted("tj", r * a * KERNELS, "q") end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = "}"
  return kernel_chunks(
    string.format("/* u[xi][co][ci] = (G g G^T)[xi] for every kernel g = w[co][ci]: F(%dx%d, 3x3). */", m, m),
    string.format("static inline void wino%d_weights(real *restrict u, const real *restrict w, int cout, int cin)", m),
    body)
end

function GENERATORS.weights_grad(m, F, a)
  local body = {
    string.format("real s[%d]; /* s[(%d r + j) * %d + q] = (G^T du)[r][j] of kernel k0 + q */", 3 * a * KERNELS, a,
      KERNELS),
    string.format("for (int j = 0; j < %d; ++j) {", a),
    string.format("    real *sj = s + (size_t)j * %d;", KERNELS),
    "    #pragma omp simd",
    "    for (int q = 0; q < nq; ++q) {",
  }
  for r = 0, 2 do
    body[#body + 1] = string.format("        %s = %s;", shifted("sj", r * a * KERNELS, "q"),
      combo(column(F.G, r), function(i) return string.format("du[%s]", position(a, i, "k0 + q")) end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = "}"
  body[#body + 1] = "for (int q = 0; q < nq; ++q) {"
  body[#body + 1] = "    real *g = dw + (size_t)(k0 + q) * 9;"
  body[#body + 1] = "    if (!accumulate) memset(g, 0, sizeof(real) * 9);"
  body[#body + 1] = "    for (int r = 0; r < 3; ++r) {"
  body[#body + 1] = string.format("        const real *sr = s + (size_t)%d * r + q;", a * KERNELS)
  for b = 0, 2 do
    body[#body + 1] = string.format("        g[%s] += %s;", b == 0 and "3 * r" or string.format("3 * r + %d", b),
      combo(column(F.G, b), function(j) return string.format("sr[%d]", j * KERNELS) end))
  end
  body[#body + 1] = "    }"
  body[#body + 1] = "}"
  return kernel_chunks(
    string.format("/* dw[co][ci] = G^T du G (+= when accumulating): the adjoint of wino%d_weights. */", m),
    string.format("static inline void wino%d_weights_grad(real *restrict dw, const real *restrict du, int cout, int cin, "
      .. "int accumulate)", m), body)
end

-- The image transforms take the tile rows of all planes as one sequence (in
-- v[xi], [planes][th][tw], consecutive tile rows are contiguous) in chunks of
-- about 256 tiles: the pass along the patch positions runs over a whole
-- chunk, one long vector loop per output, and the pass along the rows of the
-- image a tile row at a time (tile rows of resnet's small images are 2 to 8
-- tiles long; chunks made the input transform 25-30% faster). The input
-- gradient adds overlapping patches into dx, so its chunks are whole planes.
local function chunked(header, signature, whole_planes, body)
  local L = { header, signature, "{",
    string.format("    const size_t stride = (size_t)planes * th * tw + %d; /* skewed */", winograd_helpers.SKEW),
  }
  if whole_planes then
    L[#L + 1] = "    const int rows = planes * th, chunk = th * (th * tw >= 256 ? 1 : 256 / (th * tw)); /* tile rows */"
  else
    L[#L + 1] = "    const int rows = planes * th, chunk = tw >= 256 ? 1 : 256 / tw; /* tile rows per chunk */"
  end
  L[#L + 1] = "    #pragma omp parallel for"
  L[#L + 1] = "    for (int g0 = 0; g0 < rows; g0 += chunk) {"
  L[#L + 1] = "        const int ng = rows - g0 < chunk ? rows - g0 : chunk, nq = ng * tw;"
  for _, line in ipairs(body) do L[#L + 1] = "        " .. line end
  L[#L + 1] = "    }"
  L[#L + 1] = "}"
  return L
end

-- name[r * nq + q] for a constant r (q, or another index, in C).
local function scratch(name, r, index)
  index = index or "q"
  if r == 0 then return string.format("%s[%s]", name, index) end
  if r == 1 then return string.format("%s[nq + %s]", name, index) end
  return string.format("%s[%d * nq + %s]", name, r, index)
end

-- The loop along a chunk: for each j, the line `pointer`, then `statements`
-- in a SIMD loop over the chunk's tiles q.
local function along_chunk(body, a, pointer, statements)
  body[#body + 1] = string.format("for (int j = 0; j < %d; ++j) {", a)
  body[#body + 1] = "    " .. pointer
  body[#body + 1] = "    #pragma omp simd"
  body[#body + 1] = "    for (int q = 0; q < nq; ++q) {"
  for _, line in ipairs(statements) do body[#body + 1] = "        " .. line end
  body[#body + 1] = "    }"
  body[#body + 1] = "}"
end

-- The loop over the tile rows of a chunk (g is one, p its plane, ty its row)
-- around `lines`.
local function tile_rows(body, lines)
  body[#body + 1] = "for (int g = g0; g < g0 + ng; ++g) {"
  body[#body + 1] = "    const int p = g / th, ty = g % th;"
  for _, line in ipairs(lines) do body[#body + 1] = "    " .. line end
  body[#body + 1] = "}"
end

-- The row pass of the 4x4-tile input transform on 8 tiles at once: the 34
-- values under them de-interleaved into e_c[l] = row[4 (k + l) + c] by lane
-- shuffles, then the 6 outputs as vectors (20-25% faster on resnet18's
-- 8-tile rows than one tile at a time, which reads every fourth value).
local function row_pass_8_tiles(rows, F, a)
  local function shuffle(x, y, lanes) return string.format("__builtin_shuffle(%s, %s, (vlanes){ %s })", x, y, lanes) end
  local even, odd = "0, 4, 8, 12, 2, 6, 10, 14", "1, 5, 9, 13, 3, 7, 11, 15"
  local low, high = "0, 1, 2, 3, 8, 9, 10, 11", "4, 5, 6, 7, 12, 13, 14, 15"
  local lines = {
    "for (; k + 8 <= tw; k += 8) {",
    "    vreal r0, r1, r2, r3, r4;",
    "    vload(&r0, row + 4 * k);",
  }
  for i = 1, 4 do lines[#lines + 1] = string.format("    vload(&r%d, row + 4 * k + %d);", i, 8 * i) end
  for _, v in ipairs({
    { "ev01", "r0", "r1", even }, { "ev23", "r2", "r3", even }, -- lanes 0, 4, 8, 12 and 2, 6, 10, 14 of each pair
    { "od01", "r0", "r1", odd }, { "od23", "r2", "r3", odd },
    { "e0", "ev01", "ev23", low }, { "e2", "ev01", "ev23", high },
    { "e1", "od01", "od23", low }, { "e3", "od01", "od23", high },
    { "e4", "e0", "r4", "1, 2, 3, 4, 5, 6, 7, 8" }, { "e5", "e1", "r4", "1, 2, 3, 4, 5, 6, 7, 9" },
  }) do
    lines[#lines + 1] = string.format("    const vreal %s = %s;", v[1], shuffle(v[2], v[3], v[4]))
  end
  for j = 0, a - 1 do
    lines[#lines + 1] = string.format("    const vreal o%d = %s;", j,
      combo(F.BT[j + 1], function(b) return "e" .. b end))
  end
  for j = 0, a - 1 do
    lines[#lines + 1] = string.format("    memcpy(&%s, &o%d, sizeof o%d);", scratch("tr", j, "k"), j, j)
  end
  lines[#lines + 1] = "}"
  for _, l in ipairs(lines) do rows[#rows + 1] = "    " .. l end
end

function GENERATORS.input(m, F, a)
  local body = { string.format("real t[%d * nq]; /* t[(%d r + j) * nq + q]: row r of patch q times B */", a * a, a) }
  -- the vector row pass reads 8 values past the last tile's patch
  local len = m == 4 and "4 * tw + 10" or string.format("%d * tw + 2", m)
  local rows = {
    "const real *xp = x + (size_t)p * h * w;",
    string.format("for (int r = 0; r < %d; ++r) {", a),
    string.format("    real row[%s];", len),
    string.format("    wino_row(row, xp, h, w, %d * ty - top + r, left, %s);", m, len),
    string.format("    real *tr = t + (size_t)%d * r * nq + (g - g0) * tw;", a),
    "    int k = 0;",
  }
  if m == 4 then row_pass_8_tiles(rows, F, a) end
  rows[#rows + 1] = "    for (; k < tw; ++k) {"
  rows[#rows + 1] = string.format("        const real *e = row + %d * k;", m)
  for j = 0, a - 1 do
    rows[#rows + 1] = string.format("        %s = %s;", scratch("tr", j, "k"),
      combo(F.BT[j + 1], function(b) return string.format("e[%d]", b) end))
  end
  rows[#rows + 1] = "    }"
  rows[#rows + 1] = "}"
  tile_rows(body, rows)
  body[#body + 1] = "real *o = v + (size_t)g0 * tw; /* B^T t */"
  local statements = {}
  for i = 0, a - 1 do
    statements[i + 1] = string.format("o[%s] = %s;", position(a, i, "q"),
      combo(F.BT[i + 1], function(r) return scratch("tj", a * r) end))
  end
  along_chunk(body, a, "const real *tj = t + (size_t)j * nq;", statements)
  return chunked(
    string.format("/* v[xi][p][ty][tx] = (B^T d B)[xi] for the %dx%d patch d of plane p (of h x w)\n" ..
      " * at row %d ty - top, column %d tx - left, zero outside the plane. */", a, a, m, m),
    string.format("static inline void wino%d_input(real *restrict v, const real *restrict x, int planes, int h, int w, " ..
      "int th, int tw,\n                               int top, int left)", m), false, body)
end

function GENERATORS.input_grad(m, F, a)
  local body = {
    string.format("real t[%d * nq]; /* t[(%d r + j) * nq + q] = (B dv)[r][j] for patch q */", a * a, a),
    "const real *o = dv + (size_t)g0 * tw;",
  }
  local statements = {}
  for r = 0, a - 1 do
    statements[r + 1] = string.format("%s = %s;", scratch("tj", a * r), combo(column(F.BT, r), function(i)
      return string.format("o[%s]", position(a, i, "q"))
    end))
  end
  along_chunk(body, a, "real *tj = t + (size_t)j * nq;", statements)
  local rows = {
    "real *xp = dx + (size_t)p * h * w;",
    "if (!accumulate && ty == 0) memset(xp, 0, sizeof(real) * (size_t)h * w); /* chunks are whole planes */",
    string.format("for (int r = 0; r < %d; ++r) {", a),
    string.format("    const int y = %d * ty - top + r;", m),
    "    if (y < 0 || y >= h) continue;",
    string.format("    real row[%d * tw + 2]; /* row r of every patch times B^T; patches overlap by 2 */", m),
    string.format("    const real *tr = t + (size_t)%d * r * nq + (g - g0) * tw;", a),
  }
  local function cols(from, to, op)
    rows[#rows + 1] = "    for (int k = 0; k < tw; ++k) {"
    for b = from, to do
      rows[#rows + 1] = string.format("        %s %s %s;", tile_column(m, b), op,
        combo(column(F.BT, b), function(j) return scratch("tr", j, "k") end))
    end
    rows[#rows + 1] = "    }"
  end
  cols(0, m - 1, "=")
  rows[#rows + 1] = string.format("    row[%d * tw] = row[%d * tw + 1] = 0;", m, m)
  cols(m, a - 1, "+=")
  rows[#rows + 1] = "    real *xr = xp + (size_t)y * w;"
  rows[#rows + 1] = "    for (int c = 0; c < w; ++c) xr[c] += row[left + c];"
  rows[#rows + 1] = "}"
  tile_rows(body, rows)
  return chunked(
    string.format("/* dx += B dv B^T patch by patch (dx = ... unless accumulate): the adjoint of wino%d_input. */", m),
    string.format("static inline void wino%d_input_grad(real *restrict dx, const real *restrict dv, int planes, int h, " ..
      "int w, int th,\n                                    int tw, int top, int left, int accumulate)", m), true, body)
end

function GENERATORS.output(m, F, a)
  local body = {
    string.format("real s[%d * nq]; /* s[(%d i + j) * nq + q] = (A^T m)[i][j] for tile q */", m * a, a),
    "const real *o = m + (size_t)g0 * tw;",
  }
  local statements = {}
  for i = 0, m - 1 do
    statements[i + 1] = string.format("%s = %s;", scratch("sj", a * i), combo(F.AT[i + 1], function(r)
      return string.format("o[%s]", position(a, r, "q"))
    end))
  end
  along_chunk(body, a, "real *sj = s + (size_t)j * nq;", statements)
  local rows = {
    "real *yp = y + (size_t)p * ho * wo;",
    "const real bias = b ? b[p / n] : 0;",
    string.format("for (int r = 0; r < %d && %d * ty + r < ho; ++r) {", m, m),
    string.format("    real row[%d * tw];", m),
    string.format("    const real *sr = s + (size_t)%d * r * nq + (g - g0) * tw;", a),
    "    for (int k = 0; k < tw; ++k) {",
  }
  for c = 0, m - 1 do
    rows[#rows + 1] = string.format("        %s = %s + bias;", tile_column(m, c),
      combo(F.AT[c + 1], function(j) return scratch("sr", j, "k") end))
  end
  rows[#rows + 1] = "    }"
  rows[#rows + 1] = string.format("    real *yr = yp + (size_t)(%d * ty + r) * wo;", m)
  rows[#rows + 1] = "    if (relu)"
  rows[#rows + 1] = "        for (int c = 0; c < wo; ++c) yr[c] = row[c] > 0 ? row[c] : 0;"
  rows[#rows + 1] = "    else"
  rows[#rows + 1] = "        memcpy(yr, row, sizeof(real) * (size_t)wo);"
  rows[#rows + 1] = "}"
  tile_rows(body, rows)
  return chunked(
    "/* y[p] = A^T m A tile by tile for planes p = co * n + i of ho x wo, plus\n" ..
    " * b[co] (b NULL for none), then max(y, 0) where relu is set (a fused relu). */",
    string.format("static inline void wino%d_output(real *restrict y, const real *restrict m, const real *restrict b, " ..
      "int relu, int n,\n                                int planes, int ho, int wo, int th, int tw)", m), false, body)
end

function GENERATORS.output_grad(m, F, a)
  local body = { string.format("real e[%d * nq]; /* e[(%d r + j) * nq + q]: row r of tile q times A^T */", m * a, a) }
  local rows = {
    "const real *yp = dy + (size_t)p * ho * wo;",
    string.format("for (int r = 0; r < %d; ++r) {", m),
    string.format("    real row[%d * tw];", m),
    "    memset(row, 0, sizeof row);",
    string.format("    if (%d * ty + r < ho) memcpy(row, yp + (size_t)(%d * ty + r) * wo, sizeof(real) * (size_t)wo);", m, m),
    string.format("    real *er = e + (size_t)%d * r * nq + (g - g0) * tw;", a),
    "    for (int k = 0; k < tw; ++k) {",
    string.format("        const real *d = row + %d * k;", m),
  }
  for j = 0, a - 1 do
    rows[#rows + 1] = string.format("        %s = %s;", scratch("er", j, "k"),
      combo(column(F.AT, j), function(c) return string.format("d[%d]", c) end))
  end
  rows[#rows + 1] = "    }"
  rows[#rows + 1] = "}"
  tile_rows(body, rows)
  body[#body + 1] = "real *o = dm + (size_t)g0 * tw; /* A e */"
  local statements = {}
  for i = 0, a - 1 do
    statements[i + 1] = string.format("o[%s] = %s;", position(a, i, "q"),
      combo(column(F.AT, i), function(r) return scratch("ej", a * r) end))
  end
  along_chunk(body, a, "const real *ej = e + (size_t)j * nq;", statements)
  return chunked(
    string.format("/* dm = A dy A^T tile by tile (dy zero past the plane's edge): the adjoint of\n" ..
      " * wino%d_output before its bias and relu. */", m),
    string.format("static inline void wino%d_output_grad(real *restrict dm, const real *restrict dy, int planes, " ..
      "int ho, int wo, int th,\n                                     int tw)", m), false, body)
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
