#include "cifar.h"

#include "regular_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIDE 32
#define PIXELS (3 * SIDE * SIDE)
#define RECORD (1 + PIXELS)

/* A file of `size` bytes in whole records, or -1 with the reason in err. */
static long record_count(size_t size, const char *path, char *err, size_t errlen)
{
    if (size == 0 || size % RECORD != 0) {
        snprintf(err, errlen, "%s: %zu bytes is not a whole number of %d-byte CIFAR-10 records (truncated?)", path,
                 size, RECORD);
        return -1;
    }
    return (long)(size / RECORD);
}

/* Grows x and labels to hold total records. */
static int grow(nn_array *x, nn_array *labels, size_t total)
{
    unsigned char *px = realloc(x->owned, total * PIXELS);
    if (px) x->owned = px;
    unsigned char *py = px ? realloc(labels->owned, total) : NULL;
    if (py) labels->owned = py;
    x->data = x->owned; /* realloc may have moved them */
    labels->data = labels->owned;
    return px && py ? 0 : -1;
}

static int read_records(FILE *f, const char *path, size_t first, size_t count, unsigned char *x, unsigned char *y,
                        char *err, size_t errlen)
{
    unsigned char record[RECORD];
    for (size_t i = 0; i < count; ++i) {
        if (fread(record, 1, RECORD, f) != RECORD) {
            snprintf(err, errlen, "%s: read error at record %zu", path, i);
            return -1;
        }
        if (record[0] > 9) {
            snprintf(err, errlen, "%s: record %zu has label %d (CIFAR-10 labels are 0 to 9)", path, i, record[0]);
            return -1;
        }
        y[first + i] = record[0];
        memcpy(x + (first + i) * PIXELS, record + 1, PIXELS);
    }
    return 0;
}

int nn_cifar10_append(const char *path, nn_array *x, nn_array *labels, char *err, size_t errlen)
{
    size_t size;
    FILE *f = nn_open_regular(path, &size, err, errlen);
    if (!f) return -1;
    const long count = record_count(size, path, err, errlen);
    const size_t first = x->ndims ? x->dims[0] : 0, total = first + (size_t)(count > 0 ? count : 0);
    int rc = count < 0 ? -1 : 0;
    if (rc == 0 && grow(x, labels, total) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        rc = -1;
    }
    if (rc == 0) rc = read_records(f, path, first, (size_t)count, x->owned, labels->owned, err, errlen);
    fclose(f);
    if (rc != 0) return -1;
    *x = (nn_array){ .dtype = NN_U8, .ndims = 4, .dims = { total, 3, SIDE, SIDE }, .count = total * PIXELS,
                     .data = x->owned, .owned = x->owned };
    *labels = (nn_array){ .dtype = NN_U8, .ndims = 1, .dims = { total }, .count = total, .data = labels->owned,
                          .owned = labels->owned };
    return 0;
}

int nn_cifar10_load_dir(const char *dir, int train, nn_array *x, nn_array *labels, char *err, size_t errlen)
{
    char path[4096];
    *x = *labels = (nn_array){ 0 };
    if (!train) {
        snprintf(path, sizeof path, "%s/test_batch.bin", dir);
        return nn_cifar10_append(path, x, labels, err, errlen);
    }
    for (int b = 1; b <= 5; ++b) {
        snprintf(path, sizeof path, "%s/data_batch_%d.bin", dir, b);
        if (b > 1 && access(path, F_OK) != 0) break;
        if (nn_cifar10_append(path, x, labels, err, errlen) != 0) {
            nn_array_free(x);
            nn_array_free(labels);
            return -1;
        }
    }
    return 0;
}
