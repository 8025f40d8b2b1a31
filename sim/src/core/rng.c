// xoshiro256** seeded by splitmix64 (algorithms by Blackman and Vigna, public
// domain descriptions; implemented here from the published recurrences).
#include "pilotsim/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void ps_rng_seed(ps_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t ps_rng_next(ps_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double ps_rng_uniform(ps_rng *r)
{
    return (double)(ps_rng_next(r) >> 11) * 0x1.0p-53;
}

int64_t ps_rng_range(ps_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo; // hi - lo, inclusive count - 1
    if (span == UINT64_MAX) return (int64_t)ps_rng_next(r);
    uint64_t n = span + 1;
    // Rejection sampling: accept v below the largest multiple of n that fits in
    // 2^64, so every value is equally likely.
    uint64_t rem = (UINT64_MAX % n + 1) % n; // 2^64 mod n
    uint64_t v = ps_rng_next(r);
    if (rem != 0) {
        uint64_t limit = 0 - rem;            // 2^64 - rem
        while (v >= limit) v = ps_rng_next(r);
    }
    return (int64_t)((uint64_t)lo + v % n);
}

double ps_rng_normal(ps_rng *r)
{
    double u1 = ps_rng_uniform(r);
    double u2 = ps_rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t ps_seed_mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ 0x6A09E667F3BCC909ULL;
    uint64_t h = splitmix64(&x);
    x = h ^ b;
    return splitmix64(&x);
}
