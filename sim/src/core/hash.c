// State hashing: FNV-1a 64 over the raw bits of every moving body's state.
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
