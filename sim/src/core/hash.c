// State hashing: FNV-1a 64 (ps_world_state_hash) and a word-wise digest
// (ps_world_state_digest) over the raw bits of every moving body's state.
#include "world_internal.h"
#include "hash_internal.h"

#include <string.h>

uint64_t ps_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t mix_reals(uint64_t h, const dReal *v, int n)
{
    for (int i = 0; i < n; i++) {
        double d = v[i];
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        h = ps_fnv1a(h, &bits, sizeof bits);
    }
    return h;
}

uint64_t ps_world_state_hash(const ps_world *w)
{
    uint64_t h = PS_FNV_OFFSET;
    h = ps_fnv1a(h, &w->steps, sizeof w->steps);
    uint64_t seed = w->solver_seed;
    h = ps_fnv1a(h, &seed, sizeof seed);
    for (uint32_t i = 0; i < w->body_count; i++) {
        const ps_body_slot *b = &w->bodies[i];
        if (!b->alive) continue;
        h = ps_fnv1a(h, &i, sizeof i);
        if (!b->body) {
            const ps_pose *p = &b->static_pose;
            h = mix_reals(h, (const dReal[7]){p->p.x, p->p.y, p->p.z, p->q.w, p->q.x, p->q.y, p->q.z}, 7);
            continue;
        }
        h = mix_reals(h, dBodyGetPosition(b->body), 3);
        h = mix_reals(h, dBodyGetQuaternion(b->body), 4);
        h = mix_reals(h, dBodyGetLinearVel(b->body), 3);
        h = mix_reals(h, dBodyGetAngularVel(b->body), 3);
    }
    return h;
}

// ---------------------------------------------------------------- the digest
// The same inputs as ps_world_state_hash, consumed 8 bytes at a time. Each word
// is first spread on its own (a multiply and a shift, independent of the
// running value, so successive words overlap in the pipeline), then folded in:
// xor, multiply, rotate (the rotate brings the high bits, which a multiply
// never moves down, back into play). A final avalanche spreads every input bit
// over the result. The odd constants are the fractional bits of sqrt 2, 3, 5.

#define DIGEST_K1 0x6a09e667f3bcc909ULL
#define DIGEST_K2 0xbb67ae8584caa73bULL
#define DIGEST_K3 0x3c6ef372fe94f82bULL

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t digest_word(uint64_t h, uint64_t k)
{
    k *= DIGEST_K1;
    k ^= k >> 32;
    return rotl64((h ^ k) * DIGEST_K2, 23);
}

static inline uint64_t digest_real(uint64_t h, dReal v)
{
    double d = v;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return digest_word(h, bits);
}

static uint64_t digest_reals(uint64_t h, const dReal *v, int n)
{
    for (int i = 0; i < n; i++) h = digest_real(h, v[i]);
    return h;
}

uint64_t ps_world_state_digest(const ps_world *w)
{
    uint64_t h = PS_FNV_OFFSET, words = 2;
    h = digest_word(h, w->steps);
    h = digest_word(h, w->solver_seed);
    for (uint32_t i = 0; i < w->body_count; i++) {
        const ps_body_slot *b = &w->bodies[i];
        if (!b->alive) continue;
        if (!b->body) { // a static body: its slot with the top bit set, and its pose
            const ps_pose *p = &b->static_pose;
            h = digest_word(h, i | 1ULL << 63);
            h = digest_reals(h, (const dReal[7]){p->p.x, p->p.y, p->p.z, p->q.w, p->q.x, p->q.y, p->q.z}, 7);
            words += 8;
            continue;
        }
        h = digest_word(h, i);
        words += 14;
        h = digest_reals(h, dBodyGetPosition(b->body), 3);
        h = digest_reals(h, dBodyGetQuaternion(b->body), 4);
        h = digest_reals(h, dBodyGetLinearVel(b->body), 3);
        h = digest_reals(h, dBodyGetAngularVel(b->body), 3);
    }
    h ^= words * 8; // the length, so that a state is no prefix of another
    h ^= h >> 32;
    h *= DIGEST_K3;
    h ^= h >> 29;
    h *= DIGEST_K1;
    h ^= h >> 32;
    return h;
}
