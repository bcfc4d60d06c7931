/* One seeded generator (xoshiro256**, seeded through splitmix64) for
 * initialization, shuffling and augmentation: same seed, same run. */
#ifndef NN_RNG_H
#define NN_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} nn_rng;

void nn_rng_seed(nn_rng *r, uint64_t seed);
uint64_t nn_rng_next(nn_rng *r);
double nn_rng_uniform(nn_rng *r);              /* [0, 1) with 53 random bits */
double nn_rng_normal(nn_rng *r);               /* N(0, 1), Box-Muller */
uint32_t nn_rng_below(nn_rng *r, uint32_t n);  /* uniform in [0, n), unbiased */
void nn_rng_shuffle(nn_rng *r, uint32_t *a, uint32_t n);
/* The state as 64 hex digits (out holds at least 65 chars), and back: 0, or
 * -1 with r unchanged. The all-zero state is refused: xoshiro never leaves it
 * (nn_rng_next returns 0 forever, and nn_rng_below's rejection loop never
 * ends), and nn_rng_seed never makes it (splitmix64 outputs of four
 * consecutive inputs are distinct, so at most one is zero). */
void nn_rng_format(const nn_rng *r, char *out, size_t len);
int nn_rng_parse(nn_rng *r, const char *text);

#endif
