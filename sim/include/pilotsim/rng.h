/// @file rng.h
/// The episode random number generator (xoshiro256**, seeded through
/// splitmix64). Same seed, same sequence, on every platform.
#ifndef PILOTSIM_RNG_H
#define PILOTSIM_RNG_H

#include "pilotsim/export.h"

#include <stdint.h>

PS_BEGIN_DECLS

/// Generator state; plain data, copy it to snapshot.
typedef struct ps_rng { uint64_t s[4]; } ps_rng;

/// Seeds `r` (non-NULL) from a 64-bit seed.
void ps_rng_seed(ps_rng *r, uint64_t seed);
/// Next raw 64-bit value.
uint64_t ps_rng_next(ps_rng *r);
/// Uniform double in [0, 1), 53 random bits.
double ps_rng_uniform(ps_rng *r);
/// Uniform integer in [lo, hi] (inclusive; requires lo <= hi), unbiased.
int64_t ps_rng_range(ps_rng *r, int64_t lo, int64_t hi);
/// Standard normal sample (Box-Muller, no cached second value: stateless
/// beyond `r`, so snapshots stay exact).
double ps_rng_normal(ps_rng *r);
/// Mixes several values into one seed (splitmix64 chain); used to derive
/// independent streams, e.g. (base seed, scene hash, episode index).
uint64_t ps_seed_mix(uint64_t a, uint64_t b);

PS_END_DECLS
#endif
