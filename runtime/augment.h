/* Training-time augmentation of one image (C x H x W, already normalized):
 * random crop from the image padded by crop_pad pixels of `fill` (the
 * normalized value of a black pixel, per channel), horizontal flip with
 * probability 1/2, Gaussian noise of standard deviation `noise`. Every draw
 * comes from the given RNG, so a seed reproduces the run. */
#ifndef NN_AUGMENT_H
#define NN_AUGMENT_H

#include "rng.h"

typedef struct {
    int crop_pad;
    int flip;
    double noise;
} nn_augment;

int nn_augment_enabled(const nn_augment *a);
/* scratch holds C*H*W floats. */
void nn_augment_image(const nn_augment *a, float *img, int C, int H, int W, const float *fill, nn_rng *rng,
                      float *scratch);

#endif
