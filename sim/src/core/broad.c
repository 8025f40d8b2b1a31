// Broad phase of the default space (see broad.h): a grid of the static geoms,
// built once, and a sweep along x over the moving ones.
#include "broad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    GRID_MAX = 256, // cells per side at most
    SPAN_MAX = 64,  // a static geom covering more cells is tested by every moving geom
};

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
    uint32_t *always;     // indices into st: planes, unbounded boxes, geoms over SPAN_MAX cells
    uint32_t always_count;
    double lo[2], inv_cell;
    int nx, ny;           // 0 when no static geom is in the grid
    uint32_t *start;      // nx * ny + 1 offsets into `item`
    uint32_t *item;       // per cell, indices into st (ascending)
    uint32_t start_cap, item_cap;
    uint32_t *stamp;      // per static geom, the last query that tested it
    uint32_t query;
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

static bool finite_box(const double *b)
{
    for (int k = 0; k < 6; k++)
        if (!isfinite(b[k]) || fabs(b[k]) >= dInfinity) return false;
    return b[0] <= b[1] && b[2] <= b[3] && b[4] <= b[5];
}

// Cell of coordinate v along an axis of n cells (clamped; NaN gives 0).
static int cell_of(double v, double lo, double inv, int n)
{
    double c = floor((v - lo) * inv);
    if (!(c >= 0)) return 0;
    if (c >= n - 1) return n - 1;
    return (int)c;
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
    bp->st_count = bp->always_count = 0;
    bp->nx = bp->ny = 0;
    for (uint32_t i = 0; i < w->geom_count; i++) {
        const ps_geom_slot *g = &w->geoms[i];
        if (!collidable(g) || dGeomGetBody(g->geom)) continue;
        if (!ps_grow((void **)&bp->st, &bp->st_cap, bp->st_count + 1, sizeof *bp->st)) return false;
        fill(&bp->st[bp->st_count++], g->geom);
    }
    size_t cap = bp->st_cap;
    uint32_t *al = realloc(bp->always, (cap ? cap : 1) * sizeof *al);
    uint32_t *sm = al ? realloc(bp->stamp, (cap ? cap : 1) * sizeof *sm) : NULL;
    if (al) bp->always = al;
    if (!sm) return false;
    bp->stamp = sm;
    memset(bp->stamp, 0, (cap ? cap : 1) * sizeof *sm);
    bp->query = 0;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    uint32_t n = 0;
    for (uint32_t i = 0; i < bp->st_count; i++) {
        const double *b = bp->st[i].box;
        if (!finite_box(b)) continue;
        n++;
        lo[0] = fmin(lo[0], b[0]), hi[0] = fmax(hi[0], b[1]);
        lo[1] = fmin(lo[1], b[2]), hi[1] = fmax(hi[1], b[3]);
    }
    if (n) {
        double wx = hi[0] - lo[0], wy = hi[1] - lo[1];
        double cell = sqrt(fmax(wx * wy, 1e-12) / n);
        cell = fmax(cell, fmax(wx, wy) / GRID_MAX);
        if (!(cell > 0) || !isfinite(cell)) cell = 1.0;
        bp->lo[0] = lo[0], bp->lo[1] = lo[1];
        bp->inv_cell = 1.0 / cell;
        bp->nx = (int)fmin(GRID_MAX, floor(wx / cell) + 1);
        bp->ny = (int)fmin(GRID_MAX, floor(wy / cell) + 1);
    }
    size_t cells = (size_t)bp->nx * (size_t)bp->ny;
    if (!ps_grow((void **)&bp->start, &bp->start_cap, (uint32_t)cells + 1, sizeof *bp->start)) return false;
    memset(bp->start, 0, (cells + 1) * sizeof *bp->start);
    // Counting sort into cells: counts, offsets, then the items in index order.
    size_t items = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < bp->st_count; i++) {
            const double *b = bp->st[i].box;
            bool grid = n && finite_box(b);
            int x0 = 0, x1 = -1, y0 = 0, y1 = -1;
            if (grid) {
                x0 = cell_of(b[0], bp->lo[0], bp->inv_cell, bp->nx);
                x1 = cell_of(b[1], bp->lo[0], bp->inv_cell, bp->nx);
                y0 = cell_of(b[2], bp->lo[1], bp->inv_cell, bp->ny);
                y1 = cell_of(b[3], bp->lo[1], bp->inv_cell, bp->ny);
                grid = (x1 - x0 + 1) * (y1 - y0 + 1) <= SPAN_MAX;
            }
            if (!grid) {
                if (pass == 0) bp->always[bp->always_count++] = i;
                continue;
            }
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++) {
                    size_t c = (size_t)y * (size_t)bp->nx + (size_t)x;
                    if (pass == 0) bp->start[c + 1]++, items++;
                    else bp->item[bp->start[c]++] = i;
                }
        }
        if (pass == 0) {
            for (size_t c = 0; c < cells; c++) bp->start[c + 1] += bp->start[c];
            if (!ps_grow((void **)&bp->item, &bp->item_cap, items ? (uint32_t)items : 1, sizeof *bp->item)) return false;
        }
    }
    for (size_t c = cells; c > 0; c--) bp->start[c] = bp->start[c - 1]; // back from cursors to offsets
    bp->start[0] = 0;
    return true;
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
    for (uint32_t k = 0; k < bp->always_count; k++) {
        const bp_geom *s = &bp->st[bp->always[k]];
        if (may_touch(m, s)) cb(w, m->geom, s->geom);
    }
    if (!bp->nx) return;
    const double *b = m->box;
    if (isnan(b[0]) || isnan(b[1]) || isnan(b[2]) || isnan(b[3])) {
        // ODE's test lets NaN boxes through: test every static geom, as it would.
        for (uint32_t i = 0; i < bp->st_count; i++)
            if (may_touch(m, &bp->st[i])) cb(w, m->geom, bp->st[i].geom);
        return;
    }
    if (++bp->query == 0) { // wrapped: forget every stamp
        memset(bp->stamp, 0, bp->st_count * sizeof *bp->stamp);
        bp->query = 1;
    }
    int x0 = cell_of(b[0], bp->lo[0], bp->inv_cell, bp->nx), x1 = cell_of(b[1], bp->lo[0], bp->inv_cell, bp->nx);
    int y0 = cell_of(b[2], bp->lo[1], bp->inv_cell, bp->ny), y1 = cell_of(b[3], bp->lo[1], bp->inv_cell, bp->ny);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            size_t c = (size_t)y * (size_t)bp->nx + (size_t)x;
            for (uint32_t k = bp->start[c]; k < bp->start[c + 1]; k++) {
                uint32_t i = bp->item[k];
                if (bp->stamp[i] == bp->query) continue;
                bp->stamp[i] = bp->query;
                if (may_touch(m, &bp->st[i])) cb(w, m->geom, bp->st[i].geom);
            }
        }
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
    free(bp->always);
    free(bp->start);
    free(bp->item);
    free(bp->stamp);
    free(bp->mv);
    free(bp->order);
    free(bp);
    w->broad = NULL;
}
