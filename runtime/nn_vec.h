/* The vectors of the generated models' kernels (nn_kernels.h, nn_direct.h, nn_winograd.h).
 *
 * These headers are written over `real`, the model's scalar type: a generated model declares
 * `typedef float real;` (double for the gradient checks) before it includes them. Their
 * functions are static inline and compiled in the model's own translation unit, where GCC
 * specializes each call to the layer's literal sizes, so one translation unit holds one
 * scalar type. */
#ifndef NN_VEC_H
#define NN_VEC_H

#include <stdint.h>
#include <string.h>

/* Eight lanes of real for the batch-norm sums, the transposes, pad_plane, the 2x2 max pools
 * and the Winograd transforms: GCC vector extensions, which become AVX or AVX-512 registers
 * where the target has them and pairs of SSE registers otherwise. Vectors go through pointers
 * (an AVX vector passed by value changes the ABI without AVX), and memory through memcpy, as
 * the rows they touch are not aligned. */
typedef real vreal __attribute__((vector_size(8 * sizeof(real))));

/* Lane indices for __builtin_shuffle: integers as wide as real. */
typedef __typeof__(_Generic((real)0, float: (int32_t)0, default: (int64_t)0)) lane_index;
typedef lane_index vlanes __attribute__((vector_size(8 * sizeof(real))));

static inline void vload(vreal *v, const real *p) { memcpy(v, p, sizeof *v); }

/* The sum of the lanes, in a fixed order. */
static inline real vsum(const vreal *v)
{
    real sum = 0;
    for (int l = 0; l < 8; ++l) sum += (*v)[l];
    return sum;
}

/* The direct convolutions' vectors: one AVX-512 register of floats where the target has
 * AVX-512 (32 registers), else 8 lanes (an AVX register of floats: with 16 registers, wider
 * vectors would spill); the kernels are written out for both (ops/conv_direct.lua). */
#if defined(__AVX512F__)
#define WIDE_LANES 16
#else
#define WIDE_LANES 8
#endif
typedef real vwide __attribute__((vector_size(WIDE_LANES * sizeof(real))));
typedef lane_index vwlanes __attribute__((vector_size(WIDE_LANES * sizeof(real))));

static inline void vwload(vwide *v, const real *p) { memcpy(v, p, sizeof *v); }

/* The sum of the lanes, as a tree of halves (a fixed order). */
static inline real vwsum(const vwide *v)
{
#if WIDE_LANES == 16
    vwide t = *v + __builtin_shuffle(*v, (vwlanes){ 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7 });
    t += __builtin_shuffle(t, (vwlanes){ 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11 });
    t += __builtin_shuffle(t, (vwlanes){ 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13 });
#else
    vwide t = *v + __builtin_shuffle(*v, (vwlanes){ 4, 5, 6, 7, 0, 1, 2, 3 });
    t += __builtin_shuffle(t, (vwlanes){ 2, 3, 0, 1, 6, 7, 4, 5 });
#endif
    return t[0] + t[1];
}

#endif
