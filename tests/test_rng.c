// Tests of the episode RNG (rng.h): reproducibility, ranges, distributions,
// the reference algorithm (xoshiro256** seeded through splitmix64) and
// ps_seed_mix.
#include "harness.h"

#include <inttypes.h>

#include "pilotsim/rng.h"

#define N_SAMPLES 100000

// --- independent reference of the documented algorithm ---------------------

static uint64_t ref_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t ref_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t ref_xoshiro_next(uint64_t s[4])
{
    uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

static int popcount64(uint64_t x)
{
    int n = 0;
    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

// --- tests -------------------------------------------------------------------

static void test_same_seed_same_sequence(void)
{
    ps_rng a, b;
    ps_rng_seed(&a, 12345);
    ps_rng_seed(&b, 12345);
    int same = 1;
    for (int i = 0; i < 1000; i++) same &= ps_rng_next(&a) == ps_rng_next(&b);
    CHECK(same);
    // A copied state continues identically (snapshots are plain data).
    ps_rng c = a;
    same = 1;
    for (int i = 0; i < 100; i++) same &= ps_rng_uniform(&a) == ps_rng_uniform(&c);
    CHECK(same);
    // Re-seeding restarts the sequence.
    ps_rng_seed(&a, 12345);
    ps_rng_seed(&b, 12345);
    (void)ps_rng_next(&b);
    ps_rng_seed(&b, 12345);
    CHECK(ps_rng_next(&a) == ps_rng_next(&b));
    // Mixed calls stay in lock step.
    ps_rng_seed(&a, 99);
    ps_rng_seed(&b, 99);
    same = 1;
    for (int i = 0; i < 200; i++) {
        same &= ps_rng_range(&a, -5, 5) == ps_rng_range(&b, -5, 5);
        same &= ps_rng_normal(&a) == ps_rng_normal(&b);
        same &= ps_rng_uniform(&a) == ps_rng_uniform(&b);
    }
    CHECK(same);
}

static void test_different_seeds_differ(void)
{
    const uint64_t seeds[] = { 0, 1, 2, 3, 42, UINT64_MAX, UINT64_C(1) << 63 };
    const int n = (int)(sizeof seeds / sizeof seeds[0]);
    uint64_t first[16][8];
    for (int i = 0; i < n; i++) {
        ps_rng r;
        ps_rng_seed(&r, seeds[i]);
        // A seeded state is never all zero (xoshiro would be stuck at 0).
        CHECK((r.s[0] | r.s[1] | r.s[2] | r.s[3]) != 0);
        for (int k = 0; k < 8; k++) first[i][k] = ps_rng_next(&r);
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            int equal = 0;
            for (int k = 0; k < 8; k++) equal += first[i][k] == first[j][k];
            if (!CHECK(equal == 0))
                NOTE("seeds %" PRIu64 " and %" PRIu64 " share %d of 8 outputs", seeds[i],
                     seeds[j], equal);
        }
}

static void test_reference_algorithm(void)
{
    // The state transition and output are xoshiro256** exactly.
    ps_rng r;
    ps_rng_seed(&r, 2024);
    uint64_t s[4];
    memcpy(s, r.s, sizeof s);
    int same = 1;
    for (int i = 0; i < 1000; i++) same &= ps_rng_next(&r) == ref_xoshiro_next(s);
    CHECK(same);
    // Seeding is "through splitmix64": the four state words are the first four
    // splitmix64 outputs of the seed (the generator's reference seeding).
    for (uint64_t seed = 0; seed < 4; seed++) {
        ps_rng q;
        ps_rng_seed(&q, seed * UINT64_C(0x1234567));
        uint64_t x = seed * UINT64_C(0x1234567);
        uint64_t want[4];
        for (int k = 0; k < 4; k++) want[k] = ref_splitmix64(&x);
        if (!CHECK(memcmp(q.s, want, sizeof want) == 0))
            NOTE("seed %" PRIu64 ": state %016" PRIx64 " %016" PRIx64 " ..., splitmix64 gives %016" PRIx64
                 " %016" PRIx64 " ...",
                 seed, q.s[0], q.s[1], want[0], want[1]);
    }
}

static void test_uniform(void)
{
    ps_rng r;
    ps_rng_seed(&r, 7);
    int in_range = 1, bits53 = 1;
    double sum = 0, sum2 = 0, lo = 1, hi = 0;
    for (int i = 0; i < N_SAMPLES; i++) {
        double u = ps_rng_uniform(&r);
        in_range &= u >= 0.0 && u < 1.0;
        double m = ldexp(u, 53);
        bits53 &= m == floor(m); // a multiple of 2^-53
        sum += u;
        sum2 += u * u;
        if (u < lo) lo = u;
        if (u > hi) hi = u;
    }
    CHECK(in_range);
    CHECK(bits53);
    double mean = sum / N_SAMPLES, var = sum2 / N_SAMPLES - mean * mean;
    // Standard error of the mean is sqrt(1/12/1e5) = 0.00091: 0.005 is > 5 sigma.
    CHECK_NEAR(mean, 0.5, 0.005);
    // Variance 1/12 = 0.0833; its standard error is ~0.0002.
    CHECK_NEAR(var, 1.0 / 12.0, 0.002);
    CHECK(lo < 1e-3);
    CHECK(hi > 1 - 1e-3);

    // The all-but-one-zero state {1,0,0,0} outputs 0 first: uniform gives
    // exactly 0, which is in [0, 1).
    ps_rng z = { { 1, 0, 0, 0 } };
    double u0 = ps_rng_uniform(&z);
    CHECK(u0 == 0.0);
}

static void test_range(void)
{
    ps_rng r;
    ps_rng_seed(&r, 11);
    // Inclusive bounds, roughly uniform: 10 bins, 100k draws, chi-square with
    // 9 degrees of freedom (mean 9, sd 4.2); 40 is p < 1e-5.
    long bins[10] = { 0 };
    int in_range = 1;
    for (int i = 0; i < N_SAMPLES; i++) {
        int64_t v = ps_rng_range(&r, 0, 9);
        if (v < 0 || v > 9) {
            in_range = 0;
            continue;
        }
        bins[v]++;
    }
    CHECK(in_range);
    double chi2 = 0, expect = N_SAMPLES / 10.0;
    for (int i = 0; i < 10; i++) chi2 += (bins[i] - expect) * (bins[i] - expect) / expect;
    if (!CHECK(chi2 < 40.0)) NOTE("chi2 = %g", chi2);
    CHECK(bins[0] > 0 && bins[9] > 0); // both ends reachable

    // Negative bounds and a single value.
    int ok = 1, seen_lo = 0, seen_hi = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t v = ps_rng_range(&r, -3, 3);
        ok &= v >= -3 && v <= 3;
        seen_lo |= v == -3;
        seen_hi |= v == 3;
    }
    CHECK(ok && seen_lo && seen_hi);
    CHECK_EQ(ps_rng_range(&r, 5, 5), 5);
    CHECK_EQ(ps_rng_range(&r, -7, -7), -7);
    CHECK_EQ(ps_rng_range(&r, INT64_MIN, INT64_MIN), INT64_MIN);
    CHECK_EQ(ps_rng_range(&r, INT64_MAX, INT64_MAX), INT64_MAX);

    // The full int64 range must not overflow (UBSan build) and must vary.
    int64_t a = ps_rng_range(&r, INT64_MIN, INT64_MAX);
    int differs = 0;
    for (int i = 0; i < 8; i++) differs |= ps_rng_range(&r, INT64_MIN, INT64_MAX) != a;
    CHECK(differs);
    // Span wider than INT64_MAX: values on both sides of zero.
    int neg = 0, pos = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t v = ps_rng_range(&r, INT64_MIN / 2 - 10, INT64_MAX);
        neg |= v < 0;
        pos |= v > 0;
        ok &= v >= INT64_MIN / 2 - 10;
    }
    CHECK(ok && neg && pos);

    // Unbiased: over [INT64_MIN, 2^62 - 1] the span is n = 3 * 2^62, and a
    // plain "lo + next % n" puts half of the draws in the lowest 2^62 values
    // instead of a third. Expected fraction 1/3, standard error
    // sqrt(2/9/1e5) = 0.0015; tolerance 0.01.
    const int64_t top = ((int64_t)1 << 62) - 1;
    const int64_t third = INT64_MIN + ((int64_t)1 << 62);
    long below = 0;
    for (int i = 0; i < N_SAMPLES; i++) {
        int64_t v = ps_rng_range(&r, INT64_MIN, top);
        below += v < third;
        ok &= v <= top;
    }
    CHECK(ok);
    CHECK_NEAR((double)below / N_SAMPLES, 1.0 / 3.0, 0.01);
}

static void test_normal(void)
{
    ps_rng r;
    ps_rng_seed(&r, 3);
    double sum = 0, sum2 = 0, sum3 = 0;
    long within1 = 0, within2 = 0;
    int finite = 1;
    for (int i = 0; i < N_SAMPLES; i++) {
        double x = ps_rng_normal(&r);
        finite &= isfinite(x) != 0;
        sum += x;
        sum2 += x * x;
        sum3 += x * x * x;
        within1 += fabs(x) < 1;
        within2 += fabs(x) < 2;
    }
    CHECK(finite);
    double mean = sum / N_SAMPLES;
    double sd = sqrt(sum2 / N_SAMPLES - mean * mean);
    // Tolerances: mean 0 +- 0.02 (standard error 0.0032), sd 1 +- 0.02
    // (standard error 0.0022), skewness 0 +- 0.05 (se 0.0077), P(|x|<1) =
    // 0.6827 +- 0.01 (se 0.0015), P(|x|<2) = 0.9545 +- 0.005 (se 0.0007).
    CHECK_NEAR(mean, 0.0, 0.02);
    CHECK_NEAR(sd, 1.0, 0.02);
    CHECK_NEAR(sum3 / N_SAMPLES, 0.0, 0.05);
    CHECK_NEAR((double)within1 / N_SAMPLES, 0.682689, 0.01);
    CHECK_NEAR((double)within2 / N_SAMPLES, 0.954500, 0.005);

    // No cached second value: the state alone determines the next sample.
    ps_rng a, b;
    ps_rng_seed(&a, 5);
    (void)ps_rng_normal(&a);
    b = a;
    CHECK(ps_rng_normal(&a) == ps_rng_normal(&b));

    // A state whose next uniform draw is exactly 0 must still give a finite
    // sample (Box-Muller takes log of a uniform).
    ps_rng z = { { 1, 0, 0, 0 } };
    double x0 = ps_rng_normal(&z);
    if (!CHECK(isfinite(x0))) NOTE("normal from state {1,0,0,0} = %g", x0);
}

static void test_seed_mix(void)
{
    // Deterministic.
    CHECK(ps_seed_mix(1, 2) == ps_seed_mix(1, 2));
    // Order matters and trivial inputs do not give trivial outputs.
    CHECK(ps_seed_mix(1, 2) != ps_seed_mix(2, 1));
    CHECK(ps_seed_mix(0, 0) != 0);
    CHECK(ps_seed_mix(0, 1) != ps_seed_mix(1, 0));
    CHECK(ps_seed_mix(5, 0) != 5);
    // Chaining is how several values are mixed: results depend on every link.
    uint64_t base = ps_seed_mix(ps_seed_mix(7, 100), 0);
    CHECK(base != ps_seed_mix(ps_seed_mix(7, 100), 1));
    CHECK(base != ps_seed_mix(ps_seed_mix(7, 101), 0));
    CHECK(base != ps_seed_mix(ps_seed_mix(8, 100), 0));

    // No collisions over episode indices 0..4095 for one base seed.
    enum { N = 4096 };
    static uint64_t v[N];
    for (int i = 0; i < N; i++) v[i] = ps_seed_mix(42, (uint64_t)i);
    int collisions = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) collisions += v[i] == v[j];
    CHECK_EQ(collisions, 0);

    // Avalanche: flipping one input bit flips about half the output bits
    // (average over 64 bits x 2 inputs x 16 bases within [24, 40]).
    double flips = 0;
    int samples = 0;
    for (uint64_t base_a = 0; base_a < 16; base_a++) {
        uint64_t a = base_a * UINT64_C(0x9E3779B97F4A7C15), b = base_a + 1000;
        uint64_t m = ps_seed_mix(a, b);
        for (int bit = 0; bit < 64; bit++) {
            flips += popcount64(m ^ ps_seed_mix(a ^ (UINT64_C(1) << bit), b));
            flips += popcount64(m ^ ps_seed_mix(a, b ^ (UINT64_C(1) << bit)));
            samples += 2;
        }
    }
    double avg = flips / samples;
    if (!CHECK(avg > 24 && avg < 40)) NOTE("average flipped bits %g", avg);

    // Streams seeded from mixed seeds differ.
    ps_rng r1, r2;
    ps_rng_seed(&r1, ps_seed_mix(1, 0));
    ps_rng_seed(&r2, ps_seed_mix(1, 1));
    CHECK(ps_rng_next(&r1) != ps_rng_next(&r2));
}

int main(void)
{
    RUN(test_same_seed_same_sequence);
    RUN(test_different_seeds_differ);
    RUN(test_reference_algorithm);
    RUN(test_uniform);
    RUN(test_range);
    RUN(test_normal);
    RUN(test_seed_mix);
    return TEST_DONE();
}
