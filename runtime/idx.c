#include "idx.h"

#include "gz_stream.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_BYTES ((uint64_t)1 << 34) /* refuse absurd sizes in the header */
#define FIRST_ALLOC ((size_t)1 << 20) /* a gzip file's buffer grows as data arrives, never past the header's size */

static int fail(char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
}

/* The nn_dtype of an IDX type byte, or -1. */
static int idx_dtype(unsigned char type)
{
    switch (type) {
    case 0x08: return NN_U8;
    case 0x09: return NN_I8;
    case 0x0B: return NN_I16;
    case 0x0C: return NN_I32;
    case 0x0D: return NN_F32;
    case 0x0E: return NN_F64;
    default: return -1;
    }
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* Reads the type, rank and sizes into a (data not yet read), checking them. */
static int read_header(nn_gz_stream *s, nn_array *a, char *err, size_t errlen)
{
    char why[160];
    unsigned char head[4];
    const long got = nn_gz_read(s, head, 4, err, errlen);
    if (got < 0) return -1;
    if (got != 4) return fail(err, errlen, s->path, "truncated header (not an IDX file?)");
    if (head[0] != 0 || head[1] != 0) return fail(err, errlen, s->path, "bad magic number (not an IDX file)");
    const int dtype = idx_dtype(head[2]);
    if (dtype < 0) {
        snprintf(why, sizeof why, "unknown element type 0x%02x (IDX types are 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e)",
                 head[2]);
        return fail(err, errlen, s->path, why);
    }
    const int ndims = head[3];
    if (ndims < 1 || ndims > NN_ARRAY_MAX_DIMS) {
        snprintf(why, sizeof why, "%d dimensions (expected 1 to %d)", ndims, NN_ARRAY_MAX_DIMS);
        return fail(err, errlen, s->path, why);
    }
    *a = (nn_array){ .dtype = (nn_dtype)dtype, .ndims = ndims, .count = 1 };
    a->swap = nn_dtype_size(a->dtype) > 1 && host_is_little_endian();
    uint64_t bytes = nn_dtype_size(a->dtype);
    for (int i = 0; i < ndims; ++i) {
        unsigned char b[4];
        const long n = nn_gz_read(s, b, 4, err, errlen);
        if (n < 0) return -1;
        if (n != 4) return fail(err, errlen, s->path, "truncated header");
        a->dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (a->dims[i] && bytes > MAX_BYTES / a->dims[i])
            return fail(err, errlen, s->path, "sizes in the header are too large");
        a->count *= a->dims[i];
        bytes *= a->dims[i];
    }
    return 0;
}

static int size_mismatch(char *err, size_t errlen, const char *path, size_t bytes, size_t have)
{
    char why[160];
    if (have < bytes) snprintf(why, sizeof why, "truncated: header promises %zu data bytes, file has %zu", bytes, have);
    else snprintf(why, sizeof why, "longer than its header says (%zu data bytes; wrong counts in the header?)", bytes);
    return fail(err, errlen, path, why);
}

/* buf grown to twice its capacity, at most to `bytes`; NULL (buf freed) when memory runs out. */
static unsigned char *grow(unsigned char *buf, size_t *cap, size_t bytes)
{
    *cap = *cap > bytes / 2 ? bytes : 2 * *cap;
    unsigned char *grown = realloc(buf, *cap);
    if (!grown) free(buf);
    return grown;
}

/* Reads the `bytes` data bytes into *data, in a buffer that grows with what
 * the stream really holds, and checks that nothing follows them. */
static int read_data(nn_gz_stream *s, size_t bytes, unsigned char **data, char *err, size_t errlen)
{
    size_t cap = bytes < FIRST_ALLOC ? (bytes ? bytes : 1) : FIRST_ALLOC, got = 0;
    unsigned char *buf = malloc(cap), extra;
    long n = 1; /* the last read's count: 0 at the end of the data, -1 on an error */
    while (buf && got < bytes && n > 0) {
        if (got == cap && !(buf = grow(buf, &cap, bytes))) break;
        n = nn_gz_read(s, buf + got, cap - got, err, errlen);
        if (n > 0) got += (size_t)n;
    }
    if (buf && got == bytes) n = nn_gz_read(s, &extra, 1, err, errlen);
    const int rc = !buf ? fail(err, errlen, s->path, "out of memory")
                   : n < 0 ? -1
                   : got < bytes || n > 0 ? size_mismatch(err, errlen, s->path, bytes, got)
                                          : 0;
    if (rc != 0) free(buf);
    *data = rc == 0 ? buf : NULL;
    return rc;
}

int nn_idx_read(const char *path, nn_array *out, char *err, size_t errlen)
{
    nn_gz_stream s;
    size_t size;
    if (nn_gz_open(&s, path, &size, err, errlen) != 0) return -1;
    nn_array a;
    unsigned char *data = NULL;
    int rc = read_header(&s, &a, err, errlen);
    if (rc == 0) {
        const size_t bytes = a.count * nn_dtype_size(a.dtype), have = size - 4 - 4 * (size_t)a.ndims;
        /* a plain file's size is known: a header that claims more is refused before anything is allocated */
        rc = !s.gzip && have != bytes ? size_mismatch(err, errlen, path, bytes, have)
                                      : read_data(&s, bytes, &data, err, errlen);
    }
    nn_gz_close(&s);
    if (rc != 0) return -1;
    a.owned = data;
    a.data = data;
    *out = a;
    return 0;
}
