/* IDX files (MNIST / Fashion-MNIST), plain or gzipped: big-endian header
 * 0 0 type ndims, ndims uint32 sizes, then the data, big-endian. Element
 * types 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32 and
 * 0x0E float64. The data is read into an owned nn_array (a gzipped file
 * cannot be mapped) in the file's byte order: swap is set on a
 * little-endian host for elements wider than a byte. A plain file must hold
 * exactly what its header promises, checked before anything is allocated; a
 * gzipped one is read into a buffer that grows with the data it really holds. */
#ifndef NN_IDX_H
#define NN_IDX_H

#include "array.h"

/* Returns 0, or -1 with "path: reason" in err. Nothing is allocated on error;
 * free the array with nn_array_free. */
int nn_idx_read(const char *path, nn_array *out, char *err, size_t errlen);

#endif
