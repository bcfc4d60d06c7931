/* NumPy .npy arrays (format versions 1.0, 2.0 and 3.0) as nn_array.
 *
 * The header, a Python dict literal with the keys 'descr', 'fortran_order'
 * and 'shape', is read by a small strict parser (no evaluation). The element
 * types are bool, (u)int8/16/32/64 and float16/32/64 in either byte order;
 * anything else (strings, objects, complex, structured, datetime) is refused.
 *
 * C-order arrays are not copied: nn_npy_read memory-maps the file and points
 * the array into the map. Fortran-order arrays of two or more dimensions are
 * copied, transposed to C order, into a buffer the array owns.
 *
 * Every error is one line, "WHAT: what is wrong" (WHAT is the path, or what
 * the caller names), and leaves nothing allocated. Arrays larger than
 * NN_NPY_MAX_BYTES are refused before anything is allocated. */
#ifndef NN_NPY_H
#define NN_NPY_H

#include "array.h"

#include <stddef.h>

#define NN_NPY_MAX_BYTES ((uint64_t)1 << 40)

/* Reads the .npy file at path (memory-mapped). Returns 0, or -1 with the
 * error in err. Free the array with nn_array_free. */
int nn_npy_read(const char *path, nn_array *out, char *err, size_t errlen);

/* Parses .npy bytes in memory; what names them in errors. A C-order array
 * points into buf (which the caller keeps alive; out->owned and out->map
 * are NULL), a Fortran-order one is copied into out->owned. */
int nn_npy_parse(const unsigned char *buf, size_t len, const char *what, nn_array *out, char *err,
                 size_t errlen);

#endif
