/* NumPy .npz reader: the zip central directory (zip64 included), a member's
 * local header, inflating and CRC-checking deflated members, and mapping
 * stored ones; the .npy bytes are parsed by nn_npy_parse. See npz.h. */
#include "npz.h"

#include "npy.h"
#include "regular_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

enum {
    LOCAL_SIG = 0x04034b50, CENTRAL_SIG = 0x02014b50, END_SIG = 0x06054b50, END64_SIG = 0x06064b50,
    LOCATOR_SIG = 0x07064b50, LOCAL_LEN = 30, CENTRAL_LEN = 46, END_LEN = 22, END64_LEN = 56, LOCATOR_LEN = 20,
};
#define MAX_DEFLATE_RATIO 1032 /* deflate's best: 258 bytes from 2 bits */

/* Where the central directory is, from the end records. */
typedef struct {
    uint64_t entries, size, offset;
} central_dir;

static int npz_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* The offset of the end of central directory record, or -1. */
static long find_end(const unsigned char *buf, size_t len)
{
    if (len < END_LEN) return -1;
    const size_t lowest = len - END_LEN > 0xffff ? len - END_LEN - 0xffff : 0;
    for (size_t at = len - END_LEN + 1; at-- > lowest;)
        if (rd32(buf + at) == END_SIG && at + END_LEN + rd16(buf + at + 20) <= len) return (long)at;
    return -1;
}

/* The zip64 end record the locator before the end record at `end` points to. */
static int read_end64(const nn_npz *z, size_t end, central_dir *cd, char *err, size_t errlen)
{
    const unsigned char *loc = z->buf + end - LOCATOR_LEN;
    const uint64_t at = rd64(loc + 8);
    if (rd32(loc + 4) != 0 || rd32(loc + 16) > 1)
        return npz_fail(err, errlen, "%s: multi-disk archives are not supported", z->what);
    if (at > end - LOCATOR_LEN || end - LOCATOR_LEN - at < END64_LEN || rd32(z->buf + at) != END64_SIG)
        return npz_fail(err, errlen, "%s: corrupt zip64 end of central directory record", z->what);
    const unsigned char *p = z->buf + at;
    if (rd32(p + 16) != 0 || rd32(p + 20) != 0 || rd64(p + 24) != rd64(p + 32))
        return npz_fail(err, errlen, "%s: multi-disk archives are not supported", z->what);
    *cd = (central_dir){ rd64(p + 32), rd64(p + 40), rd64(p + 48) };
    return 0;
}

/* The central directory's place, checked to lie in the file before `end`. */
static int read_end(const nn_npz *z, central_dir *cd, char *err, size_t errlen)
{
    const long found = find_end(z->buf, z->len);
    if (found < 0)
        return npz_fail(err, errlen, "%s: not a zip archive, or truncated (no end of central directory record)",
                        z->what);
    const size_t end = (size_t)found;
    const unsigned char *p = z->buf + end;
    if (end >= LOCATOR_LEN && rd32(p - LOCATOR_LEN) == LOCATOR_SIG) {
        if (read_end64(z, end, cd, err, errlen) != 0) return -1;
    } else if (rd16(p + 4) != 0 || rd16(p + 6) != 0 || rd16(p + 8) != rd16(p + 10)) {
        return npz_fail(err, errlen, "%s: multi-disk archives are not supported", z->what);
    } else {
        *cd = (central_dir){ rd16(p + 10), rd32(p + 12), rd32(p + 16) };
    }
    if (cd->offset > end || cd->size > end - cd->offset || cd->entries > cd->size / CENTRAL_LEN)
        return npz_fail(err, errlen, "%s: corrupt end of central directory record (truncated archive?)", z->what);
    return 0;
}

/* The zip64 extra field's 64-bit values for the 32-bit fields that are 0xffffffff. */
static int read_zip64_extra(const unsigned char *x, size_t xlen, nn_npz_member *m, uint16_t disk)
{
    while (xlen >= 4) {
        const uint16_t id = rd16(x), n = rd16(x + 2);
        if (n > xlen - 4) return -1;
        if (id == 1) {
            uint64_t *const fields[3] = { &m->size, &m->comp_size, &m->local_offset };
            size_t at = 4;
            for (int f = 0; f < 3; ++f) {
                if (*fields[f] != 0xffffffffu) continue;
                if (at + 8 > 4u + n) return -1;
                *fields[f] = rd64(x + at);
                at += 8;
            }
            return disk == 0xffff && at + 4 > 4u + n ? -1 : 0;
        }
        x += 4 + n;
        xlen -= 4 + (size_t)n;
    }
    return m->size == 0xffffffffu || m->comp_size == 0xffffffffu || m->local_offset == 0xffffffffu ? -1 : 0;
}

/* The member's names, copied to *names: the member's, then the array's. */
static void copy_names(const unsigned char *name, size_t n, nn_npz_member *m, char **names)
{
    char *at = *names;
    memcpy(at, name, n);
    at[n] = '\0';
    m->member = at;
    m->is_npy = n >= 4 && memcmp(name + n - 4, ".npy", 4) == 0;
    at += n + 1;
    const size_t stem = m->is_npy ? n - 4 : n;
    memcpy(at, name, stem);
    at[stem] = '\0';
    m->name = at;
    *names = at + stem + 1;
}

/* The central directory entry at p (avail bytes left) into m, its length into *used. */
static int read_entry(const nn_npz *z, const unsigned char *p, size_t avail, nn_npz_member *m, char **names,
                      size_t *used, char *err, size_t errlen)
{
    if (avail < CENTRAL_LEN || rd32(p) != CENTRAL_SIG)
        return npz_fail(err, errlen, "%s: corrupt central directory", z->what);
    const size_t nlen = rd16(p + 28), xlen = rd16(p + 30), clen = rd16(p + 32);
    if (CENTRAL_LEN + nlen + xlen + clen > avail)
        return npz_fail(err, errlen, "%s: corrupt central directory", z->what);
    *m = (nn_npz_member){ .flags = rd16(p + 8), .method = rd16(p + 10), .crc = rd32(p + 16),
                          .comp_size = rd32(p + 20), .size = rd32(p + 24), .local_offset = rd32(p + 42) };
    copy_names(p + CENTRAL_LEN, nlen, m, names);
    const uint16_t disk = rd16(p + 34);
    if (read_zip64_extra(p + CENTRAL_LEN + nlen, xlen, m, disk) != 0)
        return npz_fail(err, errlen, "%s: member %s: missing or short zip64 extra field", z->what, m->member);
    if (disk != 0 && disk != 0xffff) return npz_fail(err, errlen, "%s: multi-disk archives are not supported", z->what);
    *used = CENTRAL_LEN + nlen + xlen + clen;
    return 0;
}

/* Every central directory entry into z->members. */
static int read_central(nn_npz *z, const central_dir *cd, char *err, size_t errlen)
{
    z->members = calloc(cd->entries ? cd->entries : 1, sizeof *z->members);
    z->names = malloc(2 * cd->size + 1);
    if (!z->members || !z->names) return npz_fail(err, errlen, "%s: out of memory", z->what);
    const unsigned char *p = z->buf + cd->offset;
    size_t left = cd->size;
    char *names = z->names;
    for (z->count = 0; (uint64_t)z->count < cd->entries; ++z->count) {
        size_t n = 0;
        if (read_entry(z, p, left, &z->members[z->count], &names, &n, err, errlen) != 0) return -1;
        p += n;
        left -= n;
    }
    return 0;
}

int nn_npz_open_mem(const unsigned char *buf, size_t len, const char *what, nn_npz *z, char *err,
                    size_t errlen)
{
    *z = (nn_npz){ .buf = buf, .len = len, .fd = -1, .what = strdup(what) };
    central_dir cd = { 0 };
    if (!z->what) return npz_fail(err, errlen, "%s: out of memory", what);
    if (len == 0) {
        npz_fail(err, errlen, "%s: empty file", what);
    } else if (read_end(z, &cd, err, errlen) == 0 && read_central(z, &cd, err, errlen) == 0) {
        return 0;
    }
    nn_npz_close(z);
    return -1;
}

int nn_npz_open(const char *path, nn_npz *z, char *err, size_t errlen)
{
    size_t len;
    FILE *f = nn_open_regular(path, &len, err, errlen);
    if (!f) return -1;
    const int fd = dup(fileno(f)); /* kept for the arrays' own mappings */
    fclose(f);
    if (fd < 0) return npz_fail(err, errlen, "%s: cannot open", path);
    void *map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    if (map == MAP_FAILED) {
        close(fd);
        return npz_fail(err, errlen, "%s: cannot map the file", path);
    }
    if (nn_npz_open_mem(map, len, path, z, err, errlen) != 0) {
        if (map) munmap(map, len);
        close(fd);
        return -1;
    }
    z->map = map;
    z->fd = fd;
    return 0;
}

int nn_npz_count(const nn_npz *z) { return z->count; }

const char *nn_npz_name(const nn_npz *z, int i) { return z->members[i].name; }

int nn_npz_is_array(const nn_npz *z, int i) { return z->members[i].is_npy; }

int nn_npz_find(const nn_npz *z, const char *name)
{
    for (int i = 0; i < z->count; ++i)
        if (strcmp(z->members[i].name, name) == 0) return i;
    return -1;
}

/* The offset of member m's data, after its local header; -1 on error. */
static int locate_data(const nn_npz *z, const nn_npz_member *m, const char *what, size_t *at, char *err,
                       size_t errlen)
{
    if (m->local_offset > z->len || z->len - m->local_offset < LOCAL_LEN ||
        rd32(z->buf + m->local_offset) != LOCAL_SIG)
        return npz_fail(err, errlen, "%s: corrupt local header (truncated archive?)", what);
    const unsigned char *p = z->buf + m->local_offset;
    const size_t start = (size_t)m->local_offset + LOCAL_LEN + rd16(p + 26) + rd16(p + 28);
    if (start > z->len || m->comp_size > z->len - start)
        return npz_fail(err, errlen, "%s: data runs past the end of the archive (truncated?)", what);
    *at = start;
    return 0;
}

/* Inflates n deflated bytes at src into dst (exactly size bytes). */
static int inflate_all(const unsigned char *src, size_t n, unsigned char *dst, size_t size, const char *what,
                       char *err, size_t errlen)
{
    z_stream s = { .next_in = (unsigned char *)src, .next_out = dst };
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK) return npz_fail(err, errlen, "%s: out of memory", what);
    const size_t chunk = (size_t)1 << 30;
    size_t in_left = n, out_left = size;
    int rc;
    do {
        if (s.avail_in == 0) {
            s.avail_in = (uInt)(in_left < chunk ? in_left : chunk);
            in_left -= s.avail_in;
        }
        if (s.avail_out == 0) {
            s.avail_out = (uInt)(out_left < chunk ? out_left : chunk);
            out_left -= s.avail_out;
        }
        rc = inflate(&s, Z_NO_FLUSH);
    } while (rc == Z_OK);
    const int complete = rc == Z_STREAM_END && s.total_out == size;
    inflateEnd(&s);
    if (rc == Z_DATA_ERROR) return npz_fail(err, errlen, "%s: corrupt deflate data", what);
    if (!complete) return npz_fail(err, errlen, "%s: deflate data does not inflate to the size in the directory", what);
    return 0;
}

/* Member m's deflated bytes at src inflated into an owned buffer, CRC-checked, parsed. */
static int read_deflated(const nn_npz_member *m, const unsigned char *src, const char *what, nn_array *out,
                         char *err, size_t errlen)
{
    if (m->size > NN_NPY_MAX_BYTES || m->size / MAX_DEFLATE_RATIO > m->comp_size + 1)
        return npz_fail(err, errlen, "%s: impossible uncompressed size %llu for %llu deflated bytes", what,
                    (unsigned long long)m->size, (unsigned long long)m->comp_size);
    unsigned char *buf = malloc(m->size ? m->size : 1);
    if (!buf) return npz_fail(err, errlen, "%s: out of memory", what);
    if (inflate_all(src, m->comp_size, buf, m->size, what, err, errlen) != 0) {
        free(buf);
        return -1;
    }
    if (crc32_z(0, buf, m->size) != m->crc) {
        free(buf);
        return npz_fail(err, errlen, "%s: CRC-32 mismatch (corrupt data)", what);
    }
    if (nn_npy_parse(buf, m->size, what, out, err, errlen) != 0) {
        free(buf);
        return -1;
    }
    if (out->owned)
        free(buf); /* a Fortran-order copy */
    else
        out->owned = buf;
    return 0;
}

/* Points array a, parsed from the stored member at [start, start + n) of z->buf,
 * into its own mapping of those pages of the file. */
static int map_stored(const nn_npz *z, size_t start, size_t n, nn_array *a, const char *what, char *err,
                      size_t errlen)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), first = start / page * page, len = start + n - first;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, z->fd, (off_t)first);
    if (map == MAP_FAILED) {
        nn_array_free(a);
        return npz_fail(err, errlen, "%s: cannot map the member", what);
    }
    a->data = (const unsigned char *)map + (size_t)(a->data - z->buf) - first;
    a->map = map;
    a->map_len = len;
    return 0;
}

/* Checks member m is a stored or deflated .npy, and reads it. */
static int read_member(nn_npz *z, const nn_npz_member *m, const char *what, nn_array *out, char *err,
                       size_t errlen)
{
    size_t start = 0;
    if (!m->is_npy) return npz_fail(err, errlen, "%s: member %s is not a .npy array", z->what, m->member);
    if (m->flags & 1) return npz_fail(err, errlen, "%s: encrypted members are not supported", what);
    if (m->method != 0 && m->method != 8)
        return npz_fail(err, errlen, "%s: unsupported compression method %u (only stored and deflated)", what,
                        m->method);
    if (locate_data(z, m, what, &start, err, errlen) != 0) return -1;
    if (m->method == 8) return read_deflated(m, z->buf + start, what, out, err, errlen);
    if (m->comp_size != m->size) return npz_fail(err, errlen, "%s: stored sizes differ", what);
    if (nn_npy_parse(z->buf + start, (size_t)m->size, what, out, err, errlen) != 0) return -1;
    if (out->owned || z->fd < 0) return 0;
    return map_stored(z, start, (size_t)m->size, out, what, err, errlen);
}

int nn_npz_read(nn_npz *z, const char *name, nn_array *out, char *err, size_t errlen)
{
    const int i = nn_npz_find(z, name);
    if (i < 0) return npz_fail(err, errlen, "%s: no array named '%s'", z->what, name);
    char what[640];
    snprintf(what, sizeof what, "%s: member %s", z->what, z->members[i].member);
    return read_member(z, &z->members[i], what, out, err, errlen);
}

void nn_npz_close(nn_npz *z)
{
    free(z->members);
    free(z->names);
    free(z->what);
    if (z->map) munmap(z->map, z->len);
    if (z->fd >= 0) close(z->fd);
    *z = (nn_npz){ .fd = -1 };
}
