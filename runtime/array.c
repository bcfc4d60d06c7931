#include "array.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

size_t nn_dtype_size(nn_dtype t)
{
    static const size_t sizes[] = { 1, 1, 1, 2, 2, 4, 4, 8, 8, 2, 4, 8 };
    return sizes[t];
}

const char *nn_dtype_name(nn_dtype t)
{
    static const char *const names[] = { "bool",   "uint8",  "int8",   "uint16",  "int16",   "uint32",
                                         "int32",  "uint64", "int64",  "float16", "float32", "float64" };
    return names[t];
}

int nn_dtype_is_float(nn_dtype t)
{
    return t == NN_F16 || t == NN_F32 || t == NN_F64;
}

/* IEEE binary16 bits to float (subnormals, infinities and NaN included). */
static float half_to_float(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    if (exp == 0) {
        const float v = ldexpf((float)frac, -24);
        return sign ? -v : v;
    }
    uint32_t bits = sign | (exp == 31 ? 0x7f800000u | frac << 13 : (exp + 112) << 23 | frac << 13);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* The raw bytes of element i in host order (out holds 8 bytes, the widest element). */
static void load(const nn_array *a, size_t i, unsigned char out[8])
{
    const size_t size = nn_dtype_size(a->dtype);
    if (size > 8) return; /* never: tells the compiler that out has room */
    const unsigned char *p = a->data + i * size;
    for (size_t b = 0; b < size; ++b) out[b] = a->swap ? p[size - 1 - b] : p[b];
}

double nn_array_at(const nn_array *a, size_t i)
{
    union { unsigned char b[8]; uint8_t u8; int8_t i8; uint16_t u16; int16_t i16; uint32_t u32; int32_t i32;
            uint64_t u64; int64_t i64; float f32; double f64; } v;
    load(a, i, v.b);
    switch (a->dtype) {
    case NN_BOOL: return v.u8 != 0;
    case NN_U8: return v.u8;
    case NN_I8: return v.i8;
    case NN_U16: return v.u16;
    case NN_I16: return v.i16;
    case NN_U32: return v.u32;
    case NN_I32: return v.i32;
    case NN_U64: return (double)v.u64;
    case NN_I64: return (double)v.i64;
    case NN_F16: return half_to_float(v.u16);
    case NN_F32: return v.f32;
    case NN_F64: return v.f64;
    }
    return NAN;
}

void nn_array_to_float(const nn_array *a, size_t first, size_t n, float scale, float *out)
{
    if (a->dtype == NN_U8) { /* the common case of images, without the per-element switch */
        const uint8_t *p = a->data + first;
        for (size_t i = 0; i < n; ++i) out[i] = p[i] * scale;
    } else if (a->dtype == NN_F32 && !a->swap) {
        memcpy(out, a->data + first * sizeof(float), n * sizeof(float));
        if (scale != 1.0f)
            for (size_t i = 0; i < n; ++i) out[i] *= scale;
    } else {
        for (size_t i = 0; i < n; ++i) out[i] = (float)nn_array_at(a, first + i) * scale;
    }
}

size_t nn_array_first_nonfinite(const nn_array *a)
{
    if (!nn_dtype_is_float(a->dtype)) return a->count;
    for (size_t i = 0; i < a->count; ++i)
        if (!isfinite(nn_array_at(a, i))) return i;
    return a->count;
}

int nn_array_alloc_f32(nn_array *a, int ndims, const size_t *dims)
{
    *a = (nn_array){ .dtype = NN_F32, .ndims = ndims, .count = 1 };
    for (int d = 0; d < ndims; ++d) {
        a->dims[d] = dims[d];
        a->count *= dims[d];
    }
    a->owned = calloc(a->count ? a->count : 1, sizeof(float));
    a->data = a->owned;
    return a->owned ? 0 : -1;
}

void nn_array_free(nn_array *a)
{
    free(a->owned);
    if (a->map) munmap(a->map, a->map_len);
    *a = (nn_array){ 0 };
}
