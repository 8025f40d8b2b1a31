// Broad phase of the default space (see broad.h): a grid of the static geoms,
// built once, and a sweep along x over the moving ones.
#include "broad.h"
#include "grid2d.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

// About one static geom per cell, at most 256 x 256 cells; a static geom
// covering more than 64 cells is tested by every moving geom.
static const ps_grid2d_spec GRID = {.per_cell = 1, .max_side = 256, .span_max = 64, .pad = 0};

typedef struct bp_geom {
    double box[6];     // ODE's bounding box: lo x, hi x, lo y, hi y, lo z, hi z
    dGeomID geom;
    dBodyID body;      // NULL for static geoms
    unsigned long cat, col;
} bp_geom;

struct ps_broad {
    bool static_built, moving_built;
    uint64_t static_version, moving_version; // w's versions when built
    bp_geom *st;          // static geoms, in slot order
    uint32_t st_count, st_cap;
    ps_grid2d grid;       // of st's boxes (items: indices into st)
    bp_geom *mv;          // moving geoms, in slot order
    uint32_t mv_count, mv_cap;
    uint32_t *order;      // indices into mv, by lo x (kept from step to step)
};

// ODE's own pair test (collideAABBs in ODE's spaces), on ODE's own boxes.
static inline bool may_touch(const bp_geom *a, const bp_geom *b)
{
    if (a->body == b->body && a->body) return false;
    if (!((a->cat & b->col) || (b->cat & a->col))) return false;
    const double *p = a->box, *q = b->box;
    return !(p[0] > q[1] || p[1] < q[0] || p[2] > q[3] || p[3] < q[2] || p[4] > q[5] || p[5] < q[4]);
}

static bool collidable(const ps_geom_slot *g)
{
    return g->alive && g->geom && dGeomIsEnabled(g->geom) &&
           (dGeomGetCategoryBits(g->geom) || dGeomGetCollideBits(g->geom));
}

static void fill(bp_geom *b, dGeomID g)
{
    b->geom = g;
    b->body = dGeomGetBody(g);
    b->cat = dGeomGetCategoryBits(g);
    b->col = dGeomGetCollideBits(g);
    dGeomGetAABB(g, b->box);
}

// The static geoms and their grid (about one geom per cell).
static bool build_static(ps_world *w, ps_broad *bp)
{
    bp->st_count = 0;
    for (uint32_t i = 0; i < w->geom_count; i++) {
        const ps_geom_slot *g = &w->geoms[i];
        if (!collidable(g) || dGeomGetBody(g->geom)) continue;
        if (!ps_grow((void **)&bp->st, &bp->st_cap, bp->st_count + 1, sizeof *bp->st)) return false;
        fill(&bp->st[bp->st_count++], g->geom);
    }
    const ps_grid2d_rects boxes = {.base = bp->st,
                                   .stride = sizeof *bp->st,
                                   .at = {offsetof(bp_geom, box[0]), offsetof(bp_geom, box[1]),
                                          offsetof(bp_geom, box[2]), offsetof(bp_geom, box[3])},
                                   .count = bp->st_count};
    return ps_grid2d_build(&bp->grid, &GRID, &boxes);
}

static bool build_moving(ps_world *w, ps_broad *bp)
{
    bp->mv_count = 0;
    for (uint32_t i = 0; i < w->geom_count; i++) {
        const ps_geom_slot *g = &w->geoms[i];
        if (!collidable(g) || !dGeomGetBody(g->geom)) continue;
        uint32_t cap = bp->mv_cap;
        if (!ps_grow((void **)&bp->mv, &bp->mv_cap, bp->mv_count + 1, sizeof *bp->mv)) return false;
        if (bp->mv_cap != cap) {
            uint32_t *o = realloc(bp->order, bp->mv_cap * sizeof *o);
            if (!o) return false;
            bp->order = o;
        }
        bp->mv[bp->mv_count] = (bp_geom){.geom = g->geom};
        bp->order[bp->mv_count] = bp->mv_count;
        bp->mv_count++;
    }
    for (uint32_t i = 0; i < bp->mv_count; i++) fill(&bp->mv[i], bp->mv[i].geom);
    return true;
}

// The static geoms whose boxes may touch moving geom m's.
static void query_static(ps_world *w, ps_broad *bp, const bp_geom *m, dNearCallback *cb)
{
    const double *b = m->box;
    if (isnan(b[0]) || isnan(b[1]) || isnan(b[2]) || isnan(b[3])) {
        // ODE's test lets NaN boxes through: test every static geom, as it would.
        for (uint32_t i = 0; i < bp->st_count; i++)
            if (may_touch(m, &bp->st[i])) cb(w, m->geom, bp->st[i].geom);
        return;
    }
    ps_grid2d_iter it;
    ps_grid2d_query(&bp->grid, b[0], b[1], b[2], b[3], &it);
    for (uint32_t i; ps_grid2d_next(&bp->grid, &it, &i);)
        if (may_touch(m, &bp->st[i])) cb(w, m->geom, bp->st[i].geom);
}

bool ps_broad_collide(ps_world *w, dNearCallback *cb)
{
    ps_broad *bp = w->broad;
    if (!bp) {
        bp = w->broad = calloc(1, sizeof *bp);
        if (!bp) return false;
    }
    // ODE's own bookkeeping as a space collision does it: the boxes of the
    // geoms moved since are recomputed and their dirty flags cleared.
    dSpaceClean(w->space);
    if (!bp->static_built || bp->static_version != w->static_version) {
        bp->static_built = false;
        if (!build_static(w, bp)) return false;
        bp->static_built = true;
        bp->static_version = w->static_version;
    }
    if (!bp->moving_built || bp->moving_version != w->moving_version) {
        bp->moving_built = false;
        if (!build_moving(w, bp)) return false;
        bp->moving_built = true;
        bp->moving_version = w->moving_version;
    } else {
        for (uint32_t i = 0; i < bp->mv_count; i++) dGeomGetAABB(bp->mv[i].geom, bp->mv[i].box);
    }
    // The moving geoms by lo x: insertion sort of last step's order.
    uint32_t *o = bp->order;
    for (uint32_t i = 1; i < bp->mv_count; i++) {
        uint32_t v = o[i];
        double key = bp->mv[v].box[0];
        uint32_t j = i;
        while (j > 0 && bp->mv[o[j - 1]].box[0] > key) {
            o[j] = o[j - 1];
            j--;
        }
        o[j] = v;
    }
    for (uint32_t i = 0; i < bp->mv_count; i++) {
        const bp_geom *a = &bp->mv[o[i]];
        for (uint32_t j = i + 1; j < bp->mv_count; j++) {
            const bp_geom *b = &bp->mv[o[j]];
            if (!(b->box[0] <= a->box[1])) break;
            if (may_touch(a, b)) cb(w, a->geom, b->geom);
        }
        query_static(w, bp, a, cb);
    }
    return true;
}

void ps_broad_free(ps_world *w)
{
    ps_broad *bp = w->broad;
    if (!bp) return;
    free(bp->st);
    ps_grid2d_free(&bp->grid);
    free(bp->mv);
    free(bp->order);
    free(bp);
    w->broad = NULL;
}
