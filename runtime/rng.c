#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void nn_rng_seed(nn_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; ++i) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t nn_rng_next(nn_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double nn_rng_uniform(nn_rng *r) { return (double)(nn_rng_next(r) >> 11) * 0x1.0p-53; }

double nn_rng_normal(nn_rng *r)
{
    const double u1 = 1.0 - nn_rng_uniform(r); /* (0, 1]: log is finite */
    const double u2 = nn_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

uint32_t nn_rng_below(nn_rng *r, uint32_t n)
{
    /* Lemire's multiply-shift with rejection of the biased low range. */
    uint64_t m = (uint64_t)(uint32_t)(nn_rng_next(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        const uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(nn_rng_next(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

void nn_rng_shuffle(nn_rng *r, uint32_t *a, uint32_t n)
{
    for (uint32_t i = n; i > 1; --i) {
        const uint32_t j = nn_rng_below(r, i);
        const uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

void nn_rng_format(const nn_rng *r, char *out, size_t len)
{
    snprintf(out, len, "%016llx%016llx%016llx%016llx", (unsigned long long)r->s[0], (unsigned long long)r->s[1],
             (unsigned long long)r->s[2], (unsigned long long)r->s[3]);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int nn_rng_parse(nn_rng *r, const char *text)
{
    uint64_t s[4] = { 0 };
    if (!text || strlen(text) != 64) return -1;
    for (int i = 0; i < 64; ++i) {
        const int d = hex_digit(text[i]);
        if (d < 0) return -1;
        s[i / 16] = s[i / 16] << 4 | (uint64_t)d;
    }
    if (!(s[0] | s[1] | s[2] | s[3])) return -1;
    memcpy(r->s, s, sizeof s);
    return 0;
}
