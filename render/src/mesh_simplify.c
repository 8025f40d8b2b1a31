// Coarse levels of detail for visual meshes (see render_internal.h) with
// meshoptimizer's quadric edge-collapse simplifier.
//
// Mesh files often split every vertex by face normal (flat or hard-edged
// shading: the Go2's Collada parts have a vertex per triangle corner). To the
// simplifier, several vertices at one position that are not a clean seam pair
// lock that position, so such a file does not simplify at all. The surface is
// therefore simplified on its own compact vertices, told apart by position,
// colour and (textured meshes) UV only; colour and UV seams then collapse only
// along themselves.
// Each corner of a coarse triangle is afterwards given, among the file's
// vertices merged into that one, the one whose normal is nearest the
// triangle's own: hard edges stay hard and smooth surfaces smooth. Every vertex
// of a level is a file's vertex, attributes unchanged.
#include "render_internal.h"

#include <meshoptimizer.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

// meshoptimizer's error is a vertex's distance to the original faces' planes;
// between vertices a curved surface sags further: on a finely tessellated
// sphere the surface moved up to 1.7 times the estimate (tests/test_mesh_lod.c).
// Levels are simplified to half the allowed error and report twice the
// estimate. Open borders never move (they would sag more, and parts that meet
// there would part).
#define SAG_FACTOR 2.0f

// The file's vertices grouped by the compact vertex they merged into: the
// members of group g are member[start[g] .. start[g + 1]).
typedef struct wedges {
    uint32_t *start, *member;
} wedges;

static bool wedges_make(wedges *w, const uint32_t *remap, size_t nv, size_t nu)
{
    w->start = calloc(nu + 1, sizeof *w->start);
    w->member = malloc(nv * sizeof *w->member);
    uint32_t *fill = malloc((nu + 1) * sizeof *fill);
    if (!w->start || !w->member || !fill) {
        free(fill);
        return false;
    }
    for (size_t i = 0; i < nv; i++)
        if (remap[i] != UINT32_MAX) w->start[remap[i] + 1]++; // UINT32_MAX: used by no triangle
    for (size_t g = 0; g < nu; g++) w->start[g + 1] += w->start[g];
    memcpy(fill, w->start, (nu + 1) * sizeof *fill);
    for (size_t i = 0; i < nv; i++)
        if (remap[i] != UINT32_MAX) w->member[fill[remap[i]]++] = (uint32_t)i;
    free(fill);
    return true;
}

static void wedges_free(wedges *w)
{
    free(w->start);
    free(w->member);
}

// Replaces each corner of the triangles tri[0..n) (compact vertices `cv`) by
// the file's vertex (in `v`) of its group whose normal is nearest the triangle's.
static void pick_wedges(const float *v, const float *cv, const wedges *w, uint32_t *tri, size_t n)
{
    for (size_t t = 0; t + 2 < n; t += 3) {
        const float *a = cv + tri[t] * PS_VTX_FLOATS, *b = cv + tri[t + 1] * PS_VTX_FLOATS,
                    *c = cv + tri[t + 2] * PS_VTX_FLOATS;
        float e1[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, e2[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
        float fn[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]};
        bool facing = fn[0] * fn[0] + fn[1] * fn[1] + fn[2] * fn[2] > 0;
        for (int k = 0; k < 3; k++) {
            uint32_t g = tri[t + (size_t)k], best = w->member[w->start[g]];
            float best_dot = -INFINITY;
            for (uint32_t m = w->start[g]; facing && m < w->start[g + 1]; m++) {
                const float *q = v + w->member[m] * PS_VTX_FLOATS + 3;
                float l = sqrtf(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
                float d = l > 0 ? (q[0] * fn[0] + q[1] * fn[1] + q[2] * fn[2]) / l : -INFINITY;
                if (d > best_dot) {
                    best_dot = d;
                    best = w->member[m];
                }
            }
            tri[t + (size_t)k] = best;
        }
    }
}

typedef struct compact {
    const float *v;     // the file's vertices
    size_t nv;
    float *cv;          // compact vertices (a member of each group)
    size_t nu;
    uint32_t *cidx;     // the indices in compact vertices
    wedges w;
    float scale;
} compact;

// Simplifies the compact index run [first, first + count) into out[*n...] with
// the file's vertices; returns the error (mesh units) or a negative number when
// memory runs out.
static float simplify_run(const compact *c, size_t first, size_t count, float max_error, unsigned options,
                          uint32_t *out, size_t *n)
{
    uint32_t *dst = malloc(count * sizeof *dst);
    if (!dst) return -1;
    float rel = 0;
    size_t k = meshopt_simplify(dst, c->cidx + first, count, c->cv, c->nu, PS_VTX_FLOATS * sizeof(float), 0,
                                max_error / SAG_FACTOR / c->scale, options, &rel);
    pick_wedges(c->v, c->cv, &c->w, dst, k);
    meshopt_optimizeVertexCache(out + *n, dst, k, c->nv); // fewer vertices shaded twice
    *n += k;
    free(dst);
    return SAG_FACTOR * rel * c->scale;
}

bool ps_mesh_simplify(const float *v, size_t nv, const uint32_t *idx, size_t ni, const ps_mesh_part *parts,
                      size_t nparts, float max_error, ps_mesh_lod *out)
{
    memset(out, 0, sizeof *out);
    if (nv == 0 || ni < 3 || !(max_error > 0)) return false;
    compact c = {.v = v, .nv = nv};
    uint32_t *tri = malloc(ni * sizeof *tri), *remap = malloc(nv * sizeof *remap);
    c.cidx = malloc(ni * sizeof *c.cidx);
    ps_mesh_part *np = nparts ? malloc(nparts * sizeof *np) : NULL;
    if (!tri || !remap || !c.cidx || (nparts && !np)) goto fail;
    // Vertices told apart by position (floats 0..2) and colour (6..9), not by
    // normal; by UV (10, 11) too where textures are drawn (with parts): files
    // carry UVs for textures they do not use, and their seams would lock the mesh.
    const size_t stride = PS_VTX_FLOATS * sizeof(float);
    const struct meshopt_Stream streams[2] = {{v, 3 * sizeof(float), stride},
                                              {v + 6, (nparts ? 6 : 4) * sizeof(float), stride}};
    c.nu = meshopt_generateVertexRemapMulti(remap, idx, ni, nv, streams, 2);
    c.cv = malloc((c.nu ? c.nu : 1) * stride);
    if (!c.cv || !wedges_make(&c.w, remap, nv, c.nu)) goto fail;
    meshopt_remapVertexBuffer(c.cv, v, nv, stride, remap);
    meshopt_remapIndexBuffer(c.cidx, idx, ni, remap);
    c.scale = meshopt_simplifyScale(c.cv, c.nu, stride);
    if (!(c.scale > 0)) goto fail;
    size_t k = 0;
    float err = 0;
    if (!nparts) {
        err = simplify_run(&c, 0, ni, max_error, meshopt_SimplifyLockBorder, tri, &k);
    } else {
        // Part by part, so each keeps its own index run (texture); their borders
        // stay put, so parts that meet leave no cracks between them.
        for (size_t p = 0; p < nparts && err >= 0; p++) {
            size_t before = k;
            float e = simplify_run(&c, (size_t)parts[p].first, (size_t)parts[p].count, max_error,
                                   meshopt_SimplifyLockBorder, tri, &k);
            np[p] = (ps_mesh_part){(GLsizei)before, (GLsizei)(k - before), parts[p].tex};
            err = e < 0 ? e : e > err ? e : err;
        }
    }
    if (err < 0 || k == 0) goto fail;
    // Only the vertices the coarse triangles use, in the order they first appear.
    float *ov = malloc(nv * stride);
    if (!ov) goto fail;
    size_t nk = meshopt_optimizeVertexFetch(ov, tri, k, v, nv, stride);
    float *shrunk = realloc(ov, (nk ? nk : 1) * stride);
    wedges_free(&c.w);
    free(c.cv);
    free(c.cidx);
    free(remap);
    out->vertices = shrunk ? shrunk : ov;
    out->vertex_count = nk;
    out->indices = tri;
    out->index_count = k;
    out->parts = np;
    out->part_count = nparts;
    out->error = err;
    return true;
fail:
    wedges_free(&c.w);
    free(c.cv);
    free(c.cidx);
    free(remap);
    free(tri);
    free(np);
    return false;
}

void ps_mesh_lod_free(ps_mesh_lod *l)
{
    free(l->vertices);
    free(l->indices);
    free(l->parts);
    memset(l, 0, sizeof *l);
}
