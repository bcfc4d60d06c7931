/* CIFAR-10 binary files: records of 3073 bytes, a label (0-9) then 3072
 * pixel bytes, channel-planar (1024 red, 1024 green, 1024 blue, row-major). */
#ifndef NN_CIFAR_H
#define NN_CIFAR_H

#include "array.h"

/* Appends the records of one file to x (uint8 [N][3][32][32]) and labels
 * (uint8 [N]), which may be empty (zero-initialized). Returns 0, or -1 with
 * "path: reason" in err; x and labels are unchanged on error. */
int nn_cifar10_append(const char *path, nn_array *x, nn_array *labels, char *err, size_t errlen);
/* The training set (DIR/data_batch_1.bin .. data_batch_5.bin, those present,
 * at least the first) or the test set (DIR/test_batch.bin). */
int nn_cifar10_load_dir(const char *dir, int train, nn_array *x, nn_array *labels, char *err, size_t errlen);

#endif
