/* Opening a data file or checkpoint to read: regular files only, for every reader.
 * A directory opens, but its size reads as LLONG_MAX and reads fail; opening
 * a FIFO blocks until something writes to it. */
#ifndef NN_REGULAR_FILE_H
#define NN_REGULAR_FILE_H

#include <stddef.h>
#include <stdio.h>

/* path opened for reading and its size in bytes; or NULL with "path: reason" in err. */
FILE *nn_open_regular(const char *path, size_t *size, char *err, size_t errlen);

#endif
