// Coarse levels of detail for visual meshes by vertex clustering (see
// render_internal.h): vertices falling in the same grid cell, facing the same
// way and of the same colour merge into one; triangles left with fewer than
// three distinct corners are dropped.
#include "render_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cluster_key {
    int32_t cell[3];
    uint32_t facing;   // dominant axis of the normal and its sign, 0..5
    uint32_t colour;   // RGBA quantised to 8 bits each
} cluster_key;

typedef struct cluster {
    cluster_key key;
    double pos[3], nrm[3], uv[2];
    float col[4];
    uint32_t n;
} cluster;

static uint32_t facing_of(const float *n)
{
    float ax = fabsf(n[0]), ay = fabsf(n[1]), az = fabsf(n[2]);
    if (ax >= ay && ax >= az) return n[0] >= 0 ? 0u : 1u;
    if (ay >= az) return n[1] >= 0 ? 2u : 3u;
    return n[2] >= 0 ? 4u : 5u;
}

static uint32_t quant8(float x)
{
    return x <= 0 ? 0u : x >= 1 ? 255u : (uint32_t)(x * 255.0f + 0.5f);
}

static uint64_t key_hash(const cluster_key *k)
{
    uint64_t h = 1469598103934665603ULL;
    const uint32_t w[5] = {(uint32_t)k->cell[0], (uint32_t)k->cell[1], (uint32_t)k->cell[2], k->facing, k->colour};
    for (int i = 0; i < 5; i++) h = (h ^ w[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

bool ps_mesh_simplify(const float *v, size_t nv, const uint32_t *idx, size_t ni, int cells, ps_mesh_lod *out)
{
    memset(out, 0, sizeof *out);
    if (nv == 0 || ni < 3 || cells < 1) return false;
    float lo[3] = {v[0], v[1], v[2]}, hi[3] = {v[0], v[1], v[2]};
    for (size_t i = 1; i < nv; i++)
        for (int a = 0; a < 3; a++) {
            float x = v[i * PS_VTX_FLOATS + (size_t)a];
            if (x < lo[a]) lo[a] = x;
            if (x > hi[a]) hi[a] = x;
        }
    float side = fmaxf(hi[0] - lo[0], fmaxf(hi[1] - lo[1], hi[2] - lo[2]));
    if (!(side > 0)) return false;
    float cell = side / (float)cells;
    size_t cap = 1;
    while (cap < 2 * nv) cap *= 2;
    uint32_t *table = malloc(cap * sizeof *table);      // cluster index + 1, 0: empty
    uint32_t *remap = malloc(nv * sizeof *remap);        // vertex -> cluster
    cluster *cl = calloc(nv, sizeof *cl);
    uint32_t *tri = malloc(ni * sizeof *tri);
    if (!table || !remap || !cl || !tri) goto fail;
    memset(table, 0, cap * sizeof *table);
    size_t nc = 0;
    for (size_t i = 0; i < nv; i++) {
        const float *p = v + i * PS_VTX_FLOATS;
        cluster_key k;
        memset(&k, 0, sizeof k);
        for (int a = 0; a < 3; a++) k.cell[a] = (int32_t)floorf((p[a] - lo[a]) / cell);
        k.facing = facing_of(p + 3);
        k.colour = quant8(p[6]) | quant8(p[7]) << 8 | quant8(p[8]) << 16 | quant8(p[9]) << 24;
        size_t s = (size_t)key_hash(&k) & (cap - 1);
        while (table[s] && memcmp(&cl[table[s] - 1].key, &k, sizeof k) != 0) s = (s + 1) & (cap - 1);
        if (!table[s]) {
            cl[nc].key = k;
            memcpy(cl[nc].col, p + 6, sizeof cl[nc].col);
            table[s] = (uint32_t)++nc;
        }
        cluster *c = &cl[table[s] - 1];
        for (int a = 0; a < 3; a++) {
            c->pos[a] += p[a];
            c->nrm[a] += p[3 + a];
        }
        c->uv[0] += p[10];
        c->uv[1] += p[11];
        c->n++;
        remap[i] = table[s] - 1;
    }
    size_t nt = 0;
    for (size_t t = 0; t + 2 < ni; t += 3) {
        uint32_t a = remap[idx[t]], b = remap[idx[t + 1]], c = remap[idx[t + 2]];
        if (a == b || b == c || a == c) continue;
        tri[nt++] = a;
        tri[nt++] = b;
        tri[nt++] = c;
    }
    if (nt == 0) goto fail;
    float *ov = malloc(nc * PS_VTX_FLOATS * sizeof *ov);
    if (!ov) goto fail;
    for (size_t i = 0; i < nc; i++) {
        float *o = ov + i * PS_VTX_FLOATS;
        const cluster *c = &cl[i];
        double l = sqrt(c->nrm[0] * c->nrm[0] + c->nrm[1] * c->nrm[1] + c->nrm[2] * c->nrm[2]);
        for (int a = 0; a < 3; a++) {
            o[a] = (float)(c->pos[a] / c->n);
            o[3 + a] = l > 0 ? (float)(c->nrm[a] / l) : (a == 2 ? 1.0f : 0.0f);
        }
        memcpy(o + 6, c->col, sizeof c->col);
        o[10] = (float)(c->uv[0] / c->n);
        o[11] = (float)(c->uv[1] / c->n);
    }
    free(table);
    free(remap);
    free(cl);
    out->vertices = ov;
    out->vertex_count = nc;
    out->indices = tri;
    out->index_count = nt;
    out->error = cell * sqrtf(3.0f); // a vertex moves at most a cell diagonal
    return true;
fail:
    free(table);
    free(remap);
    free(cl);
    free(tri);
    return false;
}

void ps_mesh_lod_free(ps_mesh_lod *l)
{
    free(l->vertices);
    free(l->indices);
    memset(l, 0, sizeof *l);
}
