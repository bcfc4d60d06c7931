#include "idx.h"

#include "regular_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_BYTES ((uint64_t)1 << 34) /* refuse absurd sizes in the header */
#define FIRST_ALLOC ((size_t)1 << 20) /* the buffer grows as data arrives, never to more than the header says */
#define MAX_CHUNK (1u << 30)          /* gzread takes an unsigned count and returns an int */

static int fail(gzFile f, char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "%s: %s", path, why);
    if (f) gzclose(f);
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
static int read_header(gzFile f, const char *path, nn_array *a, char *err, size_t errlen)
{
    char why[160];
    unsigned char head[4];
    if (gzread(f, head, 4) != 4) return fail(f, err, errlen, path, "truncated header (not an IDX file?)");
    if (head[0] != 0 || head[1] != 0) return fail(f, err, errlen, path, "bad magic number (not an IDX file)");
    const int dtype = idx_dtype(head[2]);
    if (dtype < 0) {
        snprintf(why, sizeof why, "unknown element type 0x%02x (IDX types are 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e)",
                 head[2]);
        return fail(f, err, errlen, path, why);
    }
    const int ndims = head[3];
    if (ndims < 1 || ndims > NN_ARRAY_MAX_DIMS) {
        snprintf(why, sizeof why, "%d dimensions (expected 1 to %d)", ndims, NN_ARRAY_MAX_DIMS);
        return fail(f, err, errlen, path, why);
    }
    *a = (nn_array){ .dtype = (nn_dtype)dtype, .ndims = ndims, .count = 1 };
    a->swap = nn_dtype_size(a->dtype) > 1 && host_is_little_endian();
    uint64_t bytes = nn_dtype_size(a->dtype);
    for (int i = 0; i < ndims; ++i) {
        unsigned char b[4];
        if (gzread(f, b, 4) != 4) return fail(f, err, errlen, path, "truncated header");
        a->dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (a->dims[i] && bytes > MAX_BYTES / a->dims[i])
            return fail(f, err, errlen, path, "sizes in the header are too large");
        a->count *= a->dims[i];
        bytes *= a->dims[i];
    }
    return 0;
}

/* Reads up to `bytes` bytes into a buffer that grows with what the file
 * really holds; returns the buffer (NULL out of memory) and the count in *got. */
static unsigned char *read_data(gzFile f, size_t bytes, size_t *got)
{
    size_t cap = bytes < FIRST_ALLOC ? (bytes ? bytes : 1) : FIRST_ALLOC;
    unsigned char *data = malloc(cap);
    *got = 0;
    while (data && *got < bytes) {
        if (*got == cap) {
            cap = cap > bytes / 2 ? bytes : 2 * cap;
            unsigned char *grown = realloc(data, cap);
            if (!grown) free(data);
            data = grown;
            if (!data) break;
        }
        const size_t want = cap - *got;
        const int n = gzread(f, data + *got, want > MAX_CHUNK ? MAX_CHUNK : (unsigned)want);
        if (n <= 0) break;
        *got += (size_t)n;
    }
    return data;
}

/* Fails (freeing data) on a read error, missing data or data beyond what the header says. */
static int check_data(gzFile f, const char *path, unsigned char *data, size_t bytes, size_t got, char *err,
                      size_t errlen)
{
    char why[160];
    int zerr = Z_OK;
    const char *zmsg = gzerror(f, &zerr);
    if (zerr != Z_OK && zerr != Z_STREAM_END) {
        snprintf(why, sizeof why, "corrupt data (%s)", zmsg);
    } else if (got < bytes) {
        snprintf(why, sizeof why, "truncated: header promises %zu data bytes, file has %zu", bytes, got);
    } else {
        unsigned char extra;
        if (gzread(f, &extra, 1) != 1) return 0;
        snprintf(why, sizeof why, "longer than its header says (wrong counts in the header?)");
    }
    free(data);
    return fail(f, err, errlen, path, why);
}

int nn_idx_read(const char *path, nn_array *out, char *err, size_t errlen)
{
    size_t size;
    FILE *file = nn_open_regular(path, &size, err, errlen);
    if (!file) return -1;
    gzFile f = gzdopen(dup(fileno(file)), "rb"); /* reads gzip and plain files alike */
    fclose(file);
    if (!f) return fail(NULL, err, errlen, path, "cannot open");
    nn_array a;
    if (read_header(f, path, &a, err, errlen) != 0) return -1;
    const size_t bytes = a.count * nn_dtype_size(a.dtype);
    size_t got;
    unsigned char *data = read_data(f, bytes, &got);
    if (!data) return fail(f, err, errlen, path, "out of memory");
    if (check_data(f, path, data, bytes, got, err, errlen) != 0) return -1;
    gzclose(f);
    a.owned = data;
    a.data = data;
    *out = a;
    return 0;
}
