/* A data file read as a stream of bytes: as it is, or inflated when it starts
 * with the gzip magic (every member of a multi-member file in turn, each
 * checked against its CRC and length). gzip's own reader, gzread, ends at
 * the first bytes after a member that are not another member, silently; here
 * such trailing bytes, like a stream that ends early, are an error. */
#ifndef NN_GZ_STREAM_H
#define NN_GZ_STREAM_H

#include <stddef.h>
#include <stdio.h>
#include <zlib.h>

typedef struct {
    const char *path;
    FILE *f;
    int gzip;  /* inflating */
    int ended;   /* the last member, and the file, ended */
    int members; /* gzip members that ended so far */
    z_stream z;
    unsigned char in[1 << 14];
} nn_gz_stream;

/* Opens a regular file; *size is its size on disk. Returns 0, or -1 with
 * "path: reason" in err. */
int nn_gz_open(nn_gz_stream *s, const char *path, size_t *size, char *err, size_t errlen);
/* Reads up to n bytes into out: n of them, fewer only at the end of the data.
 * Returns the count, or -1 with "path: reason" in err (a read error, corrupt
 * or truncated gzip data, bytes after the last gzip member). */
long nn_gz_read(nn_gz_stream *s, void *out, size_t n, char *err, size_t errlen);
void nn_gz_close(nn_gz_stream *s);

#endif
