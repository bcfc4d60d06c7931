#include "gz_stream.h"

#include "regular_file.h"

#include <limits.h>
#include <string.h>

static int gz_fail(const nn_gz_stream *s, char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s: %s", s->path, why);
    return -1;
}

/* The next block of the file as input; 0, or -1 on a read error. */
static int gz_refill(nn_gz_stream *s)
{
    s->z.next_in = s->in;
    s->z.avail_in = (uInt)fread(s->in, 1, sizeof s->in, s->f);
    return ferror(s->f) ? -1 : 0;
}

int nn_gz_open(nn_gz_stream *s, const char *path, size_t *size, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->f = nn_open_regular(path, size, err, errlen);
    if (!s->f) return -1;
    if (gz_refill(s) != 0) {
        nn_gz_close(s);
        return gz_fail(s, err, errlen, "read error");
    }
    s->gzip = s->z.avail_in >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    if (s->gzip && inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) { /* 16: gzip framing only */
        s->gzip = 0;
        nn_gz_close(s);
        return gz_fail(s, err, errlen, "out of memory");
    }
    return 0;
}

static long read_plain(nn_gz_stream *s, unsigned char *out, size_t n, char *err, size_t errlen)
{
    const size_t buffered = s->z.avail_in < n ? s->z.avail_in : n;
    memcpy(out, s->z.next_in, buffered);
    s->z.next_in += buffered;
    s->z.avail_in -= (uInt)buffered;
    const size_t got = buffered + (buffered < n ? fread(out + buffered, 1, n - buffered, s->f) : 0);
    return ferror(s->f) ? gz_fail(s, err, errlen, "read error") : (long)got;
}

/* After a member's end: the end of the file, or the start of another member. */
static int next_member(nn_gz_stream *s, char *err, size_t errlen)
{
    if (s->z.avail_in == 0 && gz_refill(s) != 0) return gz_fail(s, err, errlen, "read error");
    s->ended = s->z.avail_in == 0;
    s->members++;
    if (!s->ended) inflateReset(&s->z); /* total_out back to 0: nothing of this member yet */
    return 0;
}

/* Why inflating stopped short: a later "member" that yields nothing is bytes after the data. */
static int stopped(nn_gz_stream *s, char *err, size_t errlen, const char *why)
{
    if (s->members > 0 && s->z.total_out == 0)
        return gz_fail(s, err, errlen, "bytes after the end of the gzip data (not another gzip member)");
    char text[160];
    snprintf(text, sizeof text, "%s%s%s%s", why, s->z.msg ? " (" : "", s->z.msg ? s->z.msg : "", s->z.msg ? ")" : "");
    return gz_fail(s, err, errlen, text);
}

static long read_gzip(nn_gz_stream *s, unsigned char *out, size_t n, char *err, size_t errlen)
{
    size_t got = 0;
    while (got < n && !s->ended) {
        if (s->z.avail_in == 0 && gz_refill(s) != 0) return gz_fail(s, err, errlen, "read error");
        if (s->z.avail_in == 0) return stopped(s, err, errlen, "truncated gzip data (the file ends mid-stream)");
        s->z.next_out = out + got;
        s->z.avail_out = n - got > UINT_MAX ? UINT_MAX : (uInt)(n - got);
        const uInt room = s->z.avail_out;
        const int rc = inflate(&s->z, Z_NO_FLUSH);
        got += room - s->z.avail_out;
        if (rc == Z_STREAM_END && next_member(s, err, errlen) != 0) return -1;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return stopped(s, err, errlen, "corrupt gzip data");
    }
    return (long)got;
}

long nn_gz_read(nn_gz_stream *s, void *out, size_t n, char *err, size_t errlen)
{
    return s->gzip ? read_gzip(s, out, n, err, errlen) : read_plain(s, out, n, err, errlen);
}

void nn_gz_close(nn_gz_stream *s)
{
    if (s->gzip) inflateEnd(&s->z);
    if (s->f) fclose(s->f);
    s->f = NULL;
    s->gzip = 0;
}
