/* An image classification data set in memory: samples as floats scaled to
 * [0, 1] (then normalized), labels as bytes. */
#ifndef NN_DATASET_H
#define NN_DATASET_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t count;
    int channels, height, width;
    size_t sample_size; /* channels * height * width */
    float *x;           /* count x sample_size, N x C x H x W */
    uint8_t *y;         /* count labels */
} nn_dataset;

/* Loads an image file and a label file in IDX format (plain or .gz) and
 * checks that they agree. Returns 0, or -1 with the reason in err. */
int nn_dataset_load_idx(const char *images, const char *labels, nn_dataset *ds, char *err, size_t errlen);
/* Loads DIR/PREFIX-images-idx3-ubyte[.gz] and DIR/PREFIX-labels-idx1-ubyte[.gz]. */
int nn_dataset_load_idx_dir(const char *dir, const char *prefix, nn_dataset *ds, char *err, size_t errlen);
void nn_dataset_free(nn_dataset *ds);

#define NN_MAX_CHANNELS 4

/* Per-channel mean and standard deviation over the listed samples
 * (mean and std hold ds->channels values). */
void nn_dataset_stats(const nn_dataset *ds, const uint32_t *samples, size_t n, double *mean, double *std);
/* x = (x - mean[c]) / std[c] for every value of channel c. */
void nn_dataset_normalize(nn_dataset *ds, const double *mean, const double *std);

#endif
