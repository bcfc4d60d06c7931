#include "cifar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIDE 32
#define PIXELS (3 * SIDE * SIDE)
#define RECORD (1 + PIXELS)

int nn_cifar10_append(const char *path, nn_dataset *ds, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        snprintf(err, errlen, "%s: cannot seek", path);
        return -1;
    }
    const long size = ftell(f);
    rewind(f);
    if (size <= 0 || size % RECORD != 0) {
        fclose(f);
        snprintf(err, errlen, "%s: %ld bytes is not a whole number of %d-byte CIFAR-10 records (truncated?)", path,
                 size, RECORD);
        return -1;
    }
    const size_t count = (size_t)size / RECORD, total = ds->count + count;
    float *x = realloc(ds->x, sizeof(float) * total * PIXELS);
    if (x) ds->x = x;
    uint8_t *y = x ? realloc(ds->y, total) : NULL;
    if (y) ds->y = y;
    if (!x || !y) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    unsigned char record[RECORD];
    for (size_t i = 0; i < count; ++i) {
        if (fread(record, 1, RECORD, f) != RECORD) {
            fclose(f);
            snprintf(err, errlen, "%s: read error at record %zu", path, i);
            return -1;
        }
        if (record[0] > 9) {
            fclose(f);
            snprintf(err, errlen, "%s: record %zu has label %d (CIFAR-10 labels are 0 to 9)", path, i, record[0]);
            return -1;
        }
        ds->y[ds->count + i] = record[0];
        float *px = ds->x + (ds->count + i) * PIXELS;
        for (int j = 0; j < PIXELS; ++j) px[j] = record[1 + j] / 255.0f;
    }
    fclose(f);
    ds->count = total;
    ds->channels = 3;
    ds->height = ds->width = SIDE;
    ds->sample_size = PIXELS;
    return 0;
}

int nn_cifar10_load_dir(const char *dir, int train, nn_dataset *ds, char *err, size_t errlen)
{
    char path[4096];
    *ds = (nn_dataset){ 0 };
    if (!train) {
        snprintf(path, sizeof path, "%s/test_batch.bin", dir);
        return nn_cifar10_append(path, ds, err, errlen);
    }
    for (int b = 1; b <= 5; ++b) {
        snprintf(path, sizeof path, "%s/data_batch_%d.bin", dir, b);
        if (b > 1 && access(path, F_OK) != 0) break;
        if (nn_cifar10_append(path, ds, err, errlen) != 0) {
            nn_dataset_free(ds);
            return -1;
        }
    }
    return 0;
}
