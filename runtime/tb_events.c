#include "tb_events.h"

#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

uint32_t nn_crc32c(const void *data, size_t n)
{
    static uint32_t table[256];
    static int ready;
    if (!ready) { /* reflected polynomial 0x82F63B78 */
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    const unsigned char *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

uint32_t nn_crc32c_masked(const void *data, size_t n)
{
    const uint32_t crc = nn_crc32c(data, n);
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

/* A protocol buffer under construction (events here are far below its size). */
typedef struct {
    unsigned char b[512];
    size_t n;
} buf;

static void put_varint(buf *o, uint64_t v)
{
    do {
        o->b[o->n++] = (unsigned char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
        v >>= 7;
    } while (v);
}

static void put_le(buf *o, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i) o->b[o->n++] = (unsigned char)(v >> (8 * i));
}

/* field number and wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
static void put_key(buf *o, int field, int wire) { put_varint(o, (uint64_t)(field << 3 | wire)); }

static void put_bytes(buf *o, int field, const void *data, size_t len)
{
    put_key(o, field, 2);
    put_varint(o, len);
    memcpy(o->b + o->n, data, len);
    o->n += len;
}

static double wall_time(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec * 1e-6;
}

/* Event: wall_time = 1 (double), step = 2 (int64), file_version = 3, summary = 5 */
static void event_head(buf *e, long step)
{
    double t = wall_time();
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    put_key(e, 1, 1);
    put_le(e, bits, 8);
    put_key(e, 2, 0);
    put_varint(e, (uint64_t)step);
}

static int write_record(nn_tb_writer *w, const buf *payload)
{
    unsigned char head[12];
    const uint64_t len = payload->n;
    for (int i = 0; i < 8; ++i) head[i] = (unsigned char)(len >> (8 * i));
    const uint32_t len_crc = nn_crc32c_masked(head, 8), data_crc = nn_crc32c_masked(payload->b, payload->n);
    for (int i = 0; i < 4; ++i) head[8 + i] = (unsigned char)(len_crc >> (8 * i));
    unsigned char tail[4];
    for (int i = 0; i < 4; ++i) tail[i] = (unsigned char)(data_crc >> (8 * i));
    return fwrite(head, 1, 12, w->f) == 12 && fwrite(payload->b, 1, payload->n, w->f) == payload->n &&
                   fwrite(tail, 1, 4, w->f) == 4
               ? 0
               : -1;
}

int nn_tb_open(nn_tb_writer *w, const char *dir, char *err, size_t errlen)
{
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(w->path, sizeof w->path, "%s/events.out.tfevents.%ld.%s.%ld", dir, (long)time(NULL), host,
             (long)getpid());
    w->f = fopen(w->path, "wb");
    if (!w->f) {
        snprintf(err, errlen, "%s: %s", w->path, strerror(errno));
        return -1;
    }
    buf e = { .n = 0 };
    event_head(&e, 0);
    static const char version[] = "brain.Event:2";
    put_bytes(&e, 3, version, sizeof version - 1);
    if (write_record(w, &e) != 0) {
        snprintf(err, errlen, "%s: write failed", w->path);
        fclose(w->f);
        w->f = NULL;
        return -1;
    }
    return 0;
}

int nn_tb_scalar(nn_tb_writer *w, const char *tag, long step, double value)
{
    /* Summary.Value: tag = 1, simple_value = 2 (float); Summary: value = 1 */
    const size_t tag_len = strnlen(tag, 200);
    buf v = { .n = 0 }, summary = { .n = 0 }, e = { .n = 0 };
    put_bytes(&v, 1, tag, tag_len);
    const float f = (float)value;
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    put_key(&v, 2, 5);
    put_le(&v, bits, 4);
    put_bytes(&summary, 1, v.b, v.n);
    event_head(&e, step);
    put_bytes(&e, 5, summary.b, summary.n);
    return write_record(w, &e);
}

int nn_tb_flush(nn_tb_writer *w)
{
    return w->f && (fflush(w->f) != 0 || ferror(w->f)) ? -1 : 0;
}

int nn_tb_close(nn_tb_writer *w)
{
    if (!w->f) return 0;
    const int flushed = nn_tb_flush(w) == 0, closed = fclose(w->f) == 0;
    w->f = NULL;
    return flushed && closed ? 0 : -1;
}
