/* IDX files (MNIST / Fashion-MNIST), plain or gzipped: big-endian header
 * 0 0 type ndims, ndims uint32 sizes, then the data. Only unsigned bytes
 * (type 0x08), the type of every image and label file of those data sets. */
#ifndef NN_IDX_H
#define NN_IDX_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int ndims;
    uint32_t dims[4];
    size_t size; /* product of dims */
    uint8_t *data;
} nn_idx;

/* Returns 0, or -1 with "path: reason" in err. Nothing is allocated on error. */
int nn_idx_read(const char *path, nn_idx *out, char *err, size_t errlen);
void nn_idx_free(nn_idx *idx);

#endif
