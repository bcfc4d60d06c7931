/* NumPy .npy reader: the preamble (magic, version, header length), a strict
 * parser of the header's dict literal, the dtype, the size checks, and the
 * Fortran-to-C transpose. See npy.h. */
#include "npy.h"

#include "regular_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const unsigned char MAGIC[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

/* The header's three entries, as parsed. */
typedef struct {
    const char *descr;
    size_t descr_len;
    int descr_is_string; /* else a list (a structured dtype) */
    int fortran;
    int ndims;
    uint64_t dims[NN_ARRAY_MAX_DIMS];
    unsigned seen; /* bit per key: 1 descr, 2 fortran_order, 4 shape */
} npy_header;

/* The header text, consumed from p to end. */
typedef struct {
    const char *p, *end;
} cursor;

static int fail(char *err, size_t errlen, const char *what, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", what, why);
    return -1;
}

/* Writes a header parser's reason into why; returns 0 (failure). */
static int bad(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return 0;
}

static int host_is_little(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) ++c->p;
}

/* Skips white space, then consumes ch if it is next. */
static int eat(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        ++c->p;
        return 1;
    }
    return 0;
}

/* Skips white space, then consumes word if it is next. */
static int eat_word(cursor *c, const char *word)
{
    skip_space(c);
    const size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return 0;
    c->p += n;
    return 1;
}

/* A quoted string without escapes: its text in *s, *n. */
static int parse_string(cursor *c, const char **s, size_t *n)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return 0;
    const char quote = *c->p++;
    const char *start = c->p;
    while (c->p < c->end && *c->p != quote) {
        if (*c->p == '\\' || *c->p == '\n') return 0;
        ++c->p;
    }
    if (c->p >= c->end) return 0;
    *s = start;
    *n = (size_t)(c->p++ - start);
    return 1;
}

/* Skips a list value (a structured dtype's descr): balanced brackets and
 * parentheses around strings and anything else. */
static int skip_list(cursor *c)
{
    int depth = 0;
    do {
        if (c->p >= c->end) return 0;
        const char ch = *c->p;
        if (ch == '\'' || ch == '"') {
            const char *s;
            size_t n;
            if (!parse_string(c, &s, &n)) return 0;
            continue;
        }
        depth += (ch == '[' || ch == '(') - (ch == ']' || ch == ')');
        ++c->p;
    } while (depth > 0);
    return 1;
}

static int parse_descr(cursor *c, npy_header *h)
{
    skip_space(c);
    const char *start = c->p;
    if (c->p < c->end && *c->p == '[') {
        if (!skip_list(c)) return 0;
        h->descr = start;
        h->descr_len = (size_t)(c->p - start);
        return 1;
    }
    h->descr_is_string = 1;
    return parse_string(c, &h->descr, &h->descr_len);
}

static int parse_fortran(cursor *c, npy_header *h, char *why, size_t whylen)
{
    if (eat_word(c, "True"))
        h->fortran = 1;
    else if (!eat_word(c, "False"))
        return bad(why, whylen, "'fortran_order' is not True or False");
    return 1;
}

/* One dimension: a non-negative decimal integer (Python 2's L suffix allowed). */
static int parse_dim(cursor *c, uint64_t *v, char *why, size_t whylen)
{
    skip_space(c);
    if (c->p < c->end && *c->p == '-') return bad(why, whylen, "malformed shape: negative dimension");
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return bad(why, whylen, "malformed shape: a dimension is not an integer");
    *v = 0;
    for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; ++c->p) {
        if (*v > NN_NPY_MAX_BYTES) return bad(why, whylen, "malformed shape: dimension too large");
        *v = *v * 10 + (uint64_t)(*c->p - '0');
    }
    if (c->p < c->end && *c->p == 'L') ++c->p;
    skip_space(c);
    if (c->p < c->end && *c->p != ',' && *c->p != ')')
        return bad(why, whylen, "malformed shape: a dimension is not an integer");
    return 1;
}

/* A tuple of dimensions: (), (5,), (2, 3) or (2, 3,). */
static int parse_shape(cursor *c, npy_header *h, char *why, size_t whylen)
{
    if (!eat(c, '(')) return bad(why, whylen, "malformed shape: not a tuple");
    int trailing_comma = 0;
    h->ndims = 0;
    while (!eat(c, ')')) {
        if (h->ndims == NN_ARRAY_MAX_DIMS)
            return bad(why, whylen, "shape has more than %d dimensions", NN_ARRAY_MAX_DIMS);
        if (!parse_dim(c, &h->dims[h->ndims++], why, whylen)) return 0;
        trailing_comma = eat(c, ',');
        if (!trailing_comma && !eat(c, ')')) return bad(why, whylen, "malformed shape: unclosed tuple");
        if (!trailing_comma) break;
    }
    if (h->ndims == 1 && !trailing_comma) return bad(why, whylen, "malformed shape: (N) is not a tuple");
    return 1;
}

/* One "'key': value" entry of the dict. */
static int parse_entry(cursor *c, npy_header *h, char *why, size_t whylen)
{
    static const char *const keys[] = { "descr", "fortran_order", "shape" };
    const char *key;
    size_t n;
    if (!parse_string(c, &key, &n)) return bad(why, whylen, "malformed header dict (expected a key)");
    int k = 0;
    while (k < 3 && (strlen(keys[k]) != n || memcmp(keys[k], key, n) != 0)) ++k;
    if (k == 3) return bad(why, whylen, "unexpected key '%.*s' in the header", (int)(n > 40 ? 40 : n), key);
    if (h->seen & 1u << k) return bad(why, whylen, "duplicate key '%s' in the header", keys[k]);
    h->seen |= 1u << k;
    if (!eat(c, ':')) return bad(why, whylen, "malformed header dict (expected ':' after '%s')", keys[k]);
    if (k == 0 && !parse_descr(c, h)) return bad(why, whylen, "malformed 'descr' in the header");
    if (k == 1) return parse_fortran(c, h, why, whylen);
    if (k == 2) return parse_shape(c, h, why, whylen);
    return 1;
}

/* The header dict literal, followed only by white space (numpy pads it). */
static int parse_header(const char *text, size_t len, npy_header *h, char *why, size_t whylen)
{
    cursor c = { text, text + len };
    *h = (npy_header){ 0 };
    if (!eat(&c, '{')) return bad(why, whylen, "header is not a dict literal");
    while (!eat(&c, '}')) {
        if (!parse_entry(&c, h, why, whylen)) return 0;
        if (!eat(&c, ',') && !eat(&c, '}'))
            return bad(why, whylen, "malformed header dict (expected ',' or '}')");
        if (c.p[-1] == '}') break;
    }
    skip_space(&c);
    if (c.p != c.end) return bad(why, whylen, "unexpected text after the header dict");
    static const char *const keys[] = { "descr", "fortran_order", "shape" };
    for (int k = 0; k < 3; ++k)
        if (!(h->seen & 1u << k)) return bad(why, whylen, "header has no '%s' key", keys[k]);
    return 1;
}

/* The element type of a descr string such as '<f4'; -1 if unsupported. */
static int parse_dtype(const char *d, size_t n, nn_dtype *t, int *swap)
{
    static const char *const codes[] = { "b1", "u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8" };
    if (n != 3 || !strchr("<>=|", d[0]) || d[0] == '\0') return -1;
    for (int k = 0; k < 12; ++k)
        if (memcmp(d + 1, codes[k], 2) == 0) {
            *t = (nn_dtype)k;
            const int little = d[0] == '<' || (d[0] != '>' && host_is_little());
            *swap = nn_dtype_size(*t) > 1 && little != host_is_little();
            return d[0] == '|' && nn_dtype_size(*t) > 1 ? -1 : 0;
        }
    return -1;
}

/* Checks the magic and version; the header's offset and length in *start, *hlen. */
static int read_preamble(const unsigned char *buf, size_t len, const char *what, size_t *start, size_t *hlen,
                         char *err, size_t errlen)
{
    if (len == 0) return fail(err, errlen, what, "empty file");
    if (len < sizeof MAGIC || memcmp(buf, MAGIC, sizeof MAGIC) != 0)
        return fail(err, errlen, what, "bad magic (not a .npy file)");
    if (len < 8) return fail(err, errlen, what, "truncated header");
    if (buf[6] < 1 || buf[6] > 3 || buf[7] != 0)
        return fail(err, errlen, what, "unsupported .npy format version %u.%u", buf[6], buf[7]);
    *start = buf[6] == 1 ? 10 : 12;
    if (len < *start) return fail(err, errlen, what, "truncated header");
    *hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
    if (buf[6] > 1) *hlen |= (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
    if (*hlen > len - *start)
        return fail(err, errlen, what, "truncated header (%zu bytes promised, %zu present)", *hlen, len - *start);
    return 0;
}

/* The shape and element count into out; the data's size in *bytes. */
static int set_shape(const npy_header *h, nn_array *out, uint64_t *bytes, const char *what, char *err,
                     size_t errlen)
{
    const uint64_t size = nn_dtype_size(out->dtype);
    uint64_t count = 1;
    out->ndims = h->ndims;
    for (int d = 0; d < h->ndims; ++d) {
        if (h->dims[d] != 0 && count > NN_NPY_MAX_BYTES / size / h->dims[d])
            return fail(err, errlen, what, "array too large (more than %llu bytes)",
                        (unsigned long long)NN_NPY_MAX_BYTES);
        count *= h->dims[d];
        out->dims[d] = (size_t)h->dims[d];
    }
    out->count = (size_t)count;
    *bytes = count * size;
    return 0;
}

/* Copies a Fortran-order array's elements into dst in C order. */
static void fortran_to_c(const unsigned char *src, unsigned char *dst, const nn_array *a)
{
    const size_t size = nn_dtype_size(a->dtype);
    size_t index[NN_ARRAY_MAX_DIMS] = { 0 }, stride[NN_ARRAY_MAX_DIMS], step = size, off = 0;
    for (int d = 0; d < a->ndims; ++d) {
        stride[d] = step;
        step *= a->dims[d];
    }
    for (size_t i = 0; i < a->count; ++i) {
        memcpy(dst + i * size, src + off, size);
        for (int d = a->ndims - 1; d >= 0; --d) {
            off += stride[d];
            if (++index[d] < a->dims[d]) break;
            off -= stride[d] * a->dims[d];
            index[d] = 0;
        }
    }
}

/* The dtype, shape and size checks of a parsed header into out. */
static int check_header(const npy_header *h, size_t data_len, const char *what, nn_array *out, char *err,
                        size_t errlen)
{
    if (!h->descr_is_string || parse_dtype(h->descr, h->descr_len, &out->dtype, &out->swap) != 0)
        return fail(err, errlen, what, "unsupported dtype %s%.*s%s (only bool, integers and floats are read)",
                    h->descr_is_string ? "'" : "", (int)(h->descr_len > 60 ? 60 : h->descr_len), h->descr,
                    h->descr_is_string ? "'" : "");
    uint64_t bytes = 0;
    if (set_shape(h, out, &bytes, what, err, errlen) != 0) return -1;
    if (data_len < bytes)
        return fail(err, errlen, what, "truncated array: the shape needs %llu bytes of data, %zu present",
                    (unsigned long long)bytes, data_len);
    if (data_len > bytes)
        return fail(err, errlen, what, "%llu bytes of extra data after the array",
                    (unsigned long long)(data_len - bytes));
    return 0;
}

int nn_npy_parse(const unsigned char *buf, size_t len, const char *what, nn_array *out, char *err,
                 size_t errlen)
{
    size_t start = 0, hlen = 0;
    char why[200];
    npy_header h;
    nn_array a = { 0 };
    if (read_preamble(buf, len, what, &start, &hlen, err, errlen) != 0) return -1;
    if (!parse_header((const char *)buf + start, hlen, &h, why, sizeof why)) return fail(err, errlen, what, "%s", why);
    const size_t data_len = len - start - hlen;
    if (check_header(&h, data_len, what, &a, err, errlen) != 0) return -1;
    a.data = buf + start + hlen;
    if (h.fortran && a.ndims > 1) {
        a.owned = malloc(data_len ? data_len : 1);
        if (!a.owned) return fail(err, errlen, what, "out of memory");
        fortran_to_c(a.data, a.owned, &a);
        a.data = a.owned;
    }
    *out = a;
    return 0;
}

int nn_npy_read(const char *path, nn_array *out, char *err, size_t errlen)
{
    size_t len;
    FILE *f = nn_open_regular(path, &len, err, errlen);
    if (!f) return -1;
    void *map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fileno(f), 0) : NULL;
    fclose(f);
    if (len && map == MAP_FAILED) return fail(err, errlen, path, "cannot map the file");
    if (nn_npy_parse(map, len, path, out, err, errlen) != 0) {
        if (map) munmap(map, len);
        return -1;
    }
    if (out->owned) {
        munmap(map, len);
    } else {
        out->map = map;
        out->map_len = len;
    }
    return 0;
}
