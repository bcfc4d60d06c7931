#include "idx.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#define MAX_ITEMS (1u << 31) /* refuse absurd sizes before allocating */

static int fail(gzFile f, char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "%s: %s", path, why);
    if (f) gzclose(f);
    return -1;
}

int nn_idx_read(const char *path, nn_idx *out, char *err, size_t errlen)
{
    char why[160];
    gzFile f = gzopen(path, "rb"); /* reads gzip and plain files alike */
    if (!f) return fail(NULL, err, errlen, path, "cannot open");
    unsigned char head[4];
    if (gzread(f, head, 4) != 4) return fail(f, err, errlen, path, "truncated header (not an IDX file?)");
    if (head[0] != 0 || head[1] != 0) return fail(f, err, errlen, path, "bad magic number (not an IDX file)");
    if (head[2] != 0x08) {
        snprintf(why, sizeof why, "element type 0x%02x is not unsigned byte (0x08)", head[2]);
        return fail(f, err, errlen, path, why);
    }
    const int ndims = head[3];
    if (ndims < 1 || ndims > 4) {
        snprintf(why, sizeof why, "%d dimensions (expected 1 to 4)", ndims);
        return fail(f, err, errlen, path, why);
    }
    uint64_t size = 1;
    nn_idx r = { .ndims = ndims };
    for (int i = 0; i < ndims; ++i) {
        unsigned char b[4];
        if (gzread(f, b, 4) != 4) return fail(f, err, errlen, path, "truncated header");
        r.dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        size *= r.dims[i];
        if (size > MAX_ITEMS) return fail(f, err, errlen, path, "sizes in the header are too large");
    }
    r.size = (size_t)size;
    r.data = malloc(r.size ? r.size : 1);
    if (!r.data) return fail(f, err, errlen, path, "out of memory");
    size_t got = 0;
    while (got < r.size) {
        const unsigned chunk = r.size - got > (1u << 30) ? (1u << 30) : (unsigned)(r.size - got);
        const int n = gzread(f, r.data + got, chunk);
        if (n <= 0) break;
        got += (size_t)n;
    }
    int zerr = Z_OK;
    const char *zmsg = gzerror(f, &zerr);
    if (zerr != Z_OK && zerr != Z_STREAM_END) {
        free(r.data);
        snprintf(why, sizeof why, "corrupt data (%s)", zmsg);
        return fail(f, err, errlen, path, why);
    }
    if (got < r.size) {
        free(r.data);
        snprintf(why, sizeof why, "truncated: header promises %zu data bytes, file has %zu", r.size, got);
        return fail(f, err, errlen, path, why);
    }
    unsigned char extra;
    if (gzread(f, &extra, 1) == 1) {
        free(r.data);
        return fail(f, err, errlen, path, "longer than its header says (wrong counts in the header?)");
    }
    gzclose(f);
    *out = r;
    return 0;
}

void nn_idx_free(nn_idx *idx)
{
    free(idx->data);
    idx->data = NULL;
}
