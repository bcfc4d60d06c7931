/* A typed n-dimensional array as a data file holds it: the element type and
 * byte order it has on disk, in C order, memory-mapped or owned. Readers
 * (npy, npz, IDX, CSV, images) produce one; the data set converts records to
 * float a batch at a time, so a large file is never copied whole. */
#ifndef NN_ARRAY_H
#define NN_ARRAY_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    NN_BOOL, NN_U8, NN_I8, NN_U16, NN_I16, NN_U32, NN_I32, NN_U64, NN_I64, NN_F16, NN_F32, NN_F64,
} nn_dtype;

#define NN_ARRAY_MAX_DIMS 8

typedef struct {
    nn_dtype dtype;
    int swap;   /* elements are stored in the byte order opposite to the host's */
    int ndims;
    size_t dims[NN_ARRAY_MAX_DIMS];
    size_t count;              /* product of dims */
    const unsigned char *data; /* count elements, C order */
    void *owned;               /* free()d by nn_array_free, or NULL */
    void *map;                 /* munmap()ed by nn_array_free, or NULL */
    size_t map_len;
} nn_array;

size_t nn_dtype_size(nn_dtype t);
const char *nn_dtype_name(nn_dtype t); /* numpy's names: "uint8", "float32", ... */
int nn_dtype_is_float(nn_dtype t);

/* Element i as a double. */
double nn_array_at(const nn_array *a, size_t i);
/* Elements first .. first+n-1 as floats, each times scale. */
void nn_array_to_float(const nn_array *a, size_t first, size_t n, float scale, float *out);
/* The index of the first element that is NaN or infinite, or a->count. */
size_t nn_array_first_nonfinite(const nn_array *a);
/* An owned float32 array of the given shape (zeroed), or -1 out of memory. */
int nn_array_alloc_f32(nn_array *a, int ndims, const size_t *dims);
void nn_array_free(nn_array *a);

#endif
