/* Small helpers shared by the Criterion tests that run programs and write files. */
#ifndef NNCC_TEST_HELPERS_H
#define NNCC_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs a shell command; returns its exit status (-1 if it did not exit) and
 * what it printed on stdout (add 2>&1 to the command for stderr). */
static inline int run_capture(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "cannot run %s", cmd);
    const size_t got = fread(out, 1, len - 1, p);
    out[got] = '\0';
    const int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The number printed right after `key` in a program's output (the test fails without key). */
static inline double find(const char *out, const char *key)
{
    const char *p = strstr(out, key);
    cr_assert_not_null(p, "no '%s' in:\n%s", key, out);
    return atof(p + strlen(key));
}

/* A fresh directory under /tmp named after `tag`, removed by remove_dir. */
static inline void make_dir(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/nncc-%s-XXXXXX", tag);
    cr_assert_not_null(mkdtemp(dir), "cannot create %s", dir);
}

static inline void remove_dir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static inline void put_be32(FILE *f, uint32_t v)
{
    const unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                                 (unsigned char)v };
    fwrite(b, 1, 4, f);
}

/* Images of `side` x `side` pixels, class k (0..2) a bright 8x8 square at a
 * class-specific place over noise; labels shifted by label_offset. */
static inline void write_idx_set(const char *dir, const char *prefix, uint32_t count, int side, int label_offset, unsigned seed)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, prefix);
    FILE *fx = fopen(path, "wb");
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, prefix);
    FILE *fy = fopen(path, "wb");
    cr_assert(fx && fy);
    fputc(0, fx), fputc(0, fx), fputc(8, fx), fputc(3, fx);
    put_be32(fx, count), put_be32(fx, (uint32_t)side), put_be32(fx, (uint32_t)side);
    fputc(0, fy), fputc(0, fy), fputc(8, fy), fputc(1, fy);
    put_be32(fy, count);
    srand(seed);
    for (uint32_t i = 0; i < count; ++i) {
        const int k = (int)(i % 3);
        const int top = 2 + 8 * k % (side - 10), left = 2 + (side - 12) * (k == 1);
        for (int h = 0; h < side; ++h)
            for (int w = 0; w < side; ++w) {
                const int inside = h >= top && h < top + 8 && w >= left && w < left + 8;
                fputc(inside ? 90 + rand() % 166 : rand() % 150, fx);
            }
        fputc(k + label_offset, fy);
    }
    cr_assert_eq(fclose(fx), 0);
    cr_assert_eq(fclose(fy), 0);
}

/* CIFAR-10 records: class k is a bright square of colour k at a class-specific place over noise. */
static inline void write_cifar(const char *dir, const char *name, int count, unsigned seed)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    srand(seed);
    for (int i = 0; i < count; ++i) {
        const int k = i % 10, top = 4 + 8 * (k % 3), left = 4 + 8 * (k / 3 % 3);
        fputc(k, f);
        for (int c = 0; c < 3; ++c)
            for (int h = 0; h < 32; ++h)
                for (int w = 0; w < 32; ++w) {
                    const int inside = h >= top && h < top + 8 && w >= left && w < left + 8;
                    const int bright = inside && (k == 9 || c == k % 3 || k > 5);
                    fputc(bright ? 150 + rand() % 100 : rand() % 100, f);
                }
    }
    cr_assert_eq(fclose(f), 0);
}


/* The values of F32 tensor `name` in a safetensors file (at most n); returns
 * how many were read, or -1 when the file or the tensor is not there. */
static inline long read_tensor(const char *path, const char *name, float *out, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    unsigned char len[8];
    unsigned long long hlen = 0;
    if (fread(len, 1, 8, f) != 8) {
        fclose(f);
        return -1;
    }
    for (int i = 0; i < 8; ++i) hlen |= (unsigned long long)len[i] << (8 * i);
    char *header = calloc(hlen + 1, 1), key[256];
    long got = -1;
    unsigned long begin, end;
    snprintf(key, sizeof key, "\"%s\":{", name);
    const char *at = header && fread(header, 1, hlen, f) == hlen ? strstr(header, key) : NULL;
    at = at ? strstr(at, "\"data_offsets\":[") : NULL;
    if (at && sscanf(at, "\"data_offsets\":[%lu,%lu]", &begin, &end) == 2 && end >= begin) {
        const size_t count = (end - begin) / 4 < n ? (end - begin) / 4 : n;
        if (fseek(f, (long)(8 + hlen + begin), SEEK_SET) == 0 && fread(out, 4, count, f) == count) got = (long)count;
    }
    free(header);
    fclose(f);
    return got;
}

#endif
