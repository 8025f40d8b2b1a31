// Ray casting through a grid of the static geoms and a bounding volume
// hierarchy of the moving ones (see raycast.h): a beam visits the cells and
// boxes it crosses nearest first and stops past its best hit so far; each geom
// whose box it crosses is tested exactly, against the copy of its shape taken
// when the grid or tree was built or refitted (rayshape.c), or with ODE's ray
// collider for the classes without an own test (trimesh, heightfield).
#include "raycast.h"
#include "grid2d.h"
#include "rayshape.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum {
    LEAF_SIZE = 4,        // geoms per leaf at most
    STACK_SIZE = 96,      // pending nodes of one traversal (a balanced tree needs its depth + 1)
    MAX_LARGE = 32,       // geoms at most kept out of a tree for their size
    REBUILD_REFITS = 64,  // refits of the moving tree before its shape is rebuilt
};
// Boxes are widened by this much (m, plus 1e-9 of their coordinates) so that a
// hit ODE reports exactly on a face is never culled.
#define PAD 1e-7
// A box entered more than this beyond the best hit so far cannot hold a nearer
// reading (readings are floats: 1e-4 m is far above their rounding).
#define MARGIN 1e-4

typedef struct rc_node {
    double box[6];   // lo xyz, hi xyz
    uint32_t first;  // leaf: first item; inner: left child (the right child is first + 1)
    uint32_t count;  // leaf: items (>= 1); inner: 0
} rc_node;

// A geom's shape as the beams test it, and whether rays see it at all (ODE's
// category or collide bits set; they never change after creation).
typedef struct rc_shape {
    ps_rayshape s;
    bool seen;
} rc_shape;

typedef struct rc_tree {
    rc_node *nodes;
    uint32_t node_count, node_cap;
    uint32_t *geom;     // geom slot of each item, in leaf order
    double *box;        // per item: padded lo xyz, hi xyz
    rc_shape *shape;    // per item
    uint32_t count, cap;
    uint32_t *always;   // planes and geoms with unbounded boxes: every beam tests them
    uint32_t always_count, always_cap;
    rc_shape *always_shape; // per `always` geom
    // Geoms whose box spans more than a quarter of the tree's bounds on an axis
    // (walls, floors): in the tree they would widen every node on their way
    // down to a leaf and every beam would visit those nodes; instead each beam
    // tests their boxes directly. Items [count - large, count) of `geom`/`box`.
    uint32_t large;
} rc_tree;

// The static geoms' boxes binned into a uniform grid of square cells over x-y
// (grid2d.h; items: indices into the static tree's geom/box arrays): a beam
// walks the cells it crosses in order (a 2D DDA) and stops at the first cell
// it leaves beyond its best hit, so its cost follows its length in cells.
// About two cells per geom, at most 1024 x 1024; a geom overlapping more than
// 256 cells is kept out and tested by every beam (floors, long walls). Boxes
// are binned 1e-6 m wider than they are, so no rounding of a walk misses one.
static const ps_grid2d_spec GRID = {.per_cell = 2, .max_side = 1024, .span_max = 256, .pad = 1e-6};

typedef struct rc_item {
    double box[6], c[3];
    uint32_t geom;
} rc_item;

// A lidar scan's table of the static geoms by direction (ps_raycast_scan): the
// directions of the x-y plane as seen from the scan's origin cut into SECTORS
// equal sectors of a pseudo-angle (scan_angle), and per sector the static
// geoms within the range whose box's x-y footprint lies in that direction,
// nearest first. A beam tests only its own sector's geoms (and `all`), rather
// than walking the grid: its x-y direction is the direction, seen from the
// origin, of every point it passes, so it meets no box outside its sector. A
// geom whose footprint holds the origin, spans half the sectors or more, or
// would overflow the table (SECTOR_ENTRIES per static geom) is in `all`,
// tested by every beam.
enum { SECTORS = 512, SECTOR_ENTRIES = 32 };
typedef struct rc_scan {
    bool valid;           // the table is this scan's (ps_raycast_scan succeeded, nothing changed since)
    uint32_t *start;      // SECTORS + 1 offsets into entry / entry_near
    uint32_t *fill;       // SECTORS: build scratch
    uint32_t *entry;      // per sector, items of the static tree, nearest first
    double *entry_near;   // m: their boxes' x-y distances from the origin
    uint32_t *all;        // items tested by every beam, nearest first
    double *all_near;
    uint32_t all_count;
    uint32_t *cand;       // build scratch: the items within range, their nearest distance and first sector
    double *cand_near;
    int32_t *cand_s0, *cand_n; // first sector (any integer, taken modulo SECTORS) and count (0: in `all`)
    uint32_t cap;         // items the buffers hold (the static tree's count when built)
    size_t entry_cap;     // entries the sector lists hold
} rc_scan;

struct ps_raycast {
    rc_tree fixed, moving;            // static geoms (boxes only: no nodes); geoms of dynamic and kinematic bodies
    ps_grid2d grid;                   // the static geoms' grid
    rc_scan scan;                     // the current lidar scan's table of the static geoms by direction
    bool fixed_built, moving_built;
    uint64_t fixed_version, moving_version; // w->static_version, w->moving_version when built
    uint64_t step, epoch;             // w->steps, w->pose_epoch when the moving boxes were fitted
    uint32_t refits;
    rc_item *items;                   // build scratch
    uint32_t item_cap;
};

/* ---------------------------------------------------------------- boxes */

static bool moving_geom(const ps_world *w, const ps_geom_slot *g)
{
    return ps_body_is_set(g->body) && w->bodies[g->body.index].body != NULL;
}

// ODE's box of a geom, padded; false when unbounded (planes) or not finite,
// and then the box is everything.
static bool padded_box(dGeomID g, double box[6])
{
    dReal bb[6];
    dGeomGetAABB(g, bb);
    bool bounded = dGeomGetClass(g) != dPlaneClass;
    for (int k = 0; k < 3; k++) {
        double lo = bb[2 * k], hi = bb[2 * k + 1];
        if (!(lo <= hi) || !isfinite(lo) || !isfinite(hi) || fabs(lo) >= dInfinity || fabs(hi) >= dInfinity)
            bounded = false;
        double pad = PAD + 1e-9 * (fabs(lo) + fabs(hi));
        box[k] = lo - pad;
        box[3 + k] = hi + pad;
    }
    if (!bounded)
        for (int k = 0; k < 3; k++) box[k] = -INFINITY, box[3 + k] = INFINITY;
    return bounded;
}

static void box_union(double *dst, const double *src)
{
    for (int k = 0; k < 3; k++) {
        if (src[k] < dst[k]) dst[k] = src[k];
        if (src[3 + k] > dst[3 + k]) dst[3 + k] = src[3 + k];
    }
}

static void set_shape(rc_shape *sh, dGeomID g)
{
    ps_rayshape_set(&sh->s, g);
    sh->seen = dGeomGetCategoryBits(g) || dGeomGetCollideBits(g);
}

/* ---------------------------------------------------------------- build */

// Item order along axis k: centroid, then geom slot (unique).
static bool before(const rc_item *a, const rc_item *b, int k)
{
    return a->c[k] != b->c[k] ? a->c[k] < b->c[k] : a->geom < b->geom;
}

static void swap_items(rc_item *a, rc_item *b)
{
    rc_item t = *a;
    *a = *b;
    *b = t;
}

// Moves the items of it[0, n) so that the `m` first precede the others along
// axis k (a quickselect, in place: glibc's qsort would malloc a buffer, and a
// rebuild runs inside the step loop). The keys are unique, so the two halves
// hold the same items whatever the pivots; the readings never depend on the
// tree's shape anyway.
static void select_first(rc_item *it, uint32_t n, uint32_t m, int k)
{
    uint32_t lo = 0, hi = n; // the boundary m lies in [lo, hi)
    while (hi - lo > 1) {
        swap_items(&it[lo + (hi - lo) / 2], &it[hi - 1]); // pivot: the middle item, moved to the end
        const rc_item *pv = &it[hi - 1];
        uint32_t store = lo;
        for (uint32_t i = lo; i + 1 < hi; i++)
            if (before(&it[i], pv, k)) swap_items(&it[i], &it[store++]);
        swap_items(&it[store], &it[hi - 1]); // the pivot in its final place
        if (store == m) return;
        if (store < m) lo = store + 1;
        else hi = store;
    }
}

// Node `node` over items [first, first + n): a leaf, or split at the median
// centroid along the widest axis of the centroids.
static void build_node(rc_tree *t, rc_item *it, uint32_t first, uint32_t n, uint32_t node)
{
    double bb[6], clo[3], chi[3];
    memcpy(bb, it[first].box, sizeof bb);
    memcpy(clo, it[first].c, sizeof clo);
    memcpy(chi, it[first].c, sizeof chi);
    for (uint32_t i = first + 1; i < first + n; i++) {
        box_union(bb, it[i].box);
        for (int k = 0; k < 3; k++) clo[k] = fmin(clo[k], it[i].c[k]), chi[k] = fmax(chi[k], it[i].c[k]);
    }
    rc_node *nd = &t->nodes[node];
    memcpy(nd->box, bb, sizeof nd->box);
    if (n <= LEAF_SIZE) {
        nd->first = first;
        nd->count = n;
        return;
    }
    int axis = 0;
    for (int k = 1; k < 3; k++)
        if (chi[k] - clo[k] > chi[axis] - clo[axis]) axis = k;
    uint32_t left = t->node_count, half = n / 2;
    select_first(it + first, n, half, axis);
    t->node_count += 2;
    nd->first = left;
    nd->count = 0;
    build_node(t, it, first, half, left);
    build_node(t, it, first + half, n - half, left + 1);
}

// (Re)builds the tree of the static (moving = false) or the moving geoms.
static bool build(ps_world *w, ps_raycast *rc, rc_tree *t, bool moving)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < w->geom_count; i++) {
        const ps_geom_slot *g = &w->geoms[i];
        n += g->alive && g->geom && moving_geom(w, g) == moving;
    }
    uint32_t node_cap = t->node_cap, always_cap = t->always_cap;
    if (!ps_grow((void **)&rc->items, &rc->item_cap, n, sizeof *rc->items) ||
        !ps_grow((void **)&t->always, &always_cap, n, sizeof *t->always) ||
        !ps_grow((void **)&t->always_shape, &t->always_cap, n, sizeof *t->always_shape) ||
        !ps_grow((void **)&t->nodes, &node_cap, 2 * n + 1, sizeof *t->nodes))
        return false;
    t->node_cap = node_cap;
    uint32_t cap = t->cap;
    if (!ps_grow((void **)&t->geom, &cap, n, sizeof *t->geom)) return false;
    uint32_t cap2 = t->cap, cap3 = t->cap;
    if (!ps_grow((void **)&t->box, &cap2, n, 6 * sizeof *t->box)) return false;
    if (!ps_grow((void **)&t->shape, &cap3, n, sizeof *t->shape)) return false;
    t->cap = cap < cap2 ? cap : cap2;
    t->cap = t->cap < cap3 ? t->cap : cap3;
    uint32_t m = 0;
    t->always_count = 0;
    for (uint32_t i = 0; i < w->geom_count; i++) {
        const ps_geom_slot *g = &w->geoms[i];
        if (!g->alive || !g->geom || moving_geom(w, g) != moving) continue;
        rc_item *it = &rc->items[m];
        if (!padded_box(g->geom, it->box)) {
            set_shape(&t->always_shape[t->always_count], g->geom);
            t->always[t->always_count++] = i;
            continue;
        }
        for (int k = 0; k < 3; k++) it->c[k] = 0.5 * (it->box[k] + it->box[3 + k]);
        it->geom = i;
        m++;
    }
    t->count = m;
    if (!moving) { // the static geoms go into the grid (build_grid), not a tree
        t->node_count = 0;
        t->large = 0;
        for (uint32_t i = 0; i < m; i++) {
            t->geom[i] = rc->items[i].geom;
            memcpy(&t->box[6 * i], rc->items[i].box, sizeof rc->items[i].box);
            set_shape(&t->shape[i], w->geoms[t->geom[i]].geom);
        }
        return true;
    }
    // the large geoms to the end, out of the tree (unless there are too many)
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (uint32_t i = 0; i < m; i++)
        for (int k = 0; k < 3; k++) lo[k] = fmin(lo[k], rc->items[i].box[k]), hi[k] = fmax(hi[k], rc->items[i].box[3 + k]);
    uint32_t split = m;
    for (uint32_t i = m; i-- > 0;) {
        const double *b = rc->items[i].box;
        bool large = false;
        for (int k = 0; k < 3; k++) large |= b[3 + k] - b[k] > 0.25 * (hi[k] - lo[k]) && hi[k] - lo[k] > 1.0;
        if (large) {
            rc_item tmp = rc->items[i];
            rc->items[i] = rc->items[--split];
            rc->items[split] = tmp;
        }
    }
    if (m - split > MAX_LARGE || m - split == m) split = m;
    t->large = m - split;
    t->node_count = split ? 1 : 0;
    if (split) build_node(t, rc->items, 0, split, 0);
    for (uint32_t i = 0; i < m; i++) {
        t->geom[i] = rc->items[i].geom;
        memcpy(&t->box[6 * i], rc->items[i].box, sizeof rc->items[i].box);
        set_shape(&t->shape[i], w->geoms[t->geom[i]].geom);
    }
    return true;
}

// Bins the static tree's boxes (t->box: lo xyz, hi xyz) into the grid.
static bool build_grid(ps_grid2d *g, const rc_tree *t)
{
    const size_t d = sizeof *t->box;
    const ps_grid2d_rects boxes = {.base = t->box, .stride = 6 * d, .at = {0, 3 * d, d, 4 * d}, .count = t->count};
    return ps_grid2d_build(g, &GRID, &boxes);
}

static void scan_free(rc_scan *sc)
{
    free(sc->start);
    free(sc->fill);
    free(sc->entry);
    free(sc->entry_near);
    free(sc->all);
    free(sc->all_near);
    free(sc->cand);
    free(sc->cand_near);
    free(sc->cand_s0);
    free(sc->cand_n);
    memset(sc, 0, sizeof *sc);
}

// Buffers for a scan table of up to n static items (allocated with the grid,
// so that scans allocate nothing).
static bool scan_reserve(rc_scan *sc, uint32_t n)
{
    if (sc->start && sc->cap >= n) return true;
    scan_free(sc);
    size_t m = n ? n : 1, e = m * SECTOR_ENTRIES;
    sc->start = malloc((SECTORS + 1) * sizeof *sc->start);
    sc->fill = malloc(SECTORS * sizeof *sc->fill);
    sc->entry = malloc(e * sizeof *sc->entry);
    sc->entry_near = malloc(e * sizeof *sc->entry_near);
    sc->all = malloc(m * sizeof *sc->all);
    sc->all_near = malloc(m * sizeof *sc->all_near);
    sc->cand = malloc(m * sizeof *sc->cand);
    sc->cand_near = malloc(m * sizeof *sc->cand_near);
    sc->cand_s0 = malloc(m * sizeof *sc->cand_s0);
    sc->cand_n = malloc(m * sizeof *sc->cand_n);
    if (!sc->start || !sc->fill || !sc->entry || !sc->entry_near || !sc->all || !sc->all_near || !sc->cand ||
        !sc->cand_near || !sc->cand_s0 || !sc->cand_n) {
        scan_free(sc);
        return false;
    }
    sc->cap = n;
    sc->entry_cap = e;
    return true;
}

// New boxes for the moving geoms, then every node's box from its children
// (children always come after their parent).
static void refit(ps_world *w, rc_tree *t)
{
    for (uint32_t i = 0; i < t->count; i++) {
        dGeomID g = w->geoms[t->geom[i]].geom;
        padded_box(g, &t->box[6 * i]);
        ps_rayshape_set(&t->shape[i].s, g);
    }
    for (uint32_t i = 0; i < t->always_count; i++)
        ps_rayshape_set(&t->always_shape[i].s, w->geoms[t->always[i]].geom);
    for (uint32_t i = t->node_count; i-- > 0;) {
        rc_node *nd = &t->nodes[i];
        if (nd->count) {
            memcpy(nd->box, &t->box[6 * nd->first], sizeof nd->box);
            for (uint32_t k = 1; k < nd->count; k++) box_union(nd->box, &t->box[6 * (nd->first + k)]);
        } else {
            memcpy(nd->box, t->nodes[nd->first].box, sizeof nd->box);
            box_union(nd->box, t->nodes[nd->first + 1].box);
        }
    }
}

bool ps_raycast_prepare(ps_world *w)
{
    ps_raycast *rc = w->raycast;
    if (!rc) {
        rc = calloc(1, sizeof *rc);
        if (!rc) return false;
        w->raycast = rc;
    }
    rc->scan.valid = false;
    if (!rc->fixed_built || rc->fixed_version != w->static_version) {
        rc->fixed_built = build(w, rc, &rc->fixed, false) && build_grid(&rc->grid, &rc->fixed) &&
                          scan_reserve(&rc->scan, rc->fixed.count);
        if (!rc->fixed_built) return false;
        rc->fixed_version = w->static_version;
    }
    if (!rc->moving_built || rc->moving_version != w->moving_version || rc->refits >= REBUILD_REFITS) {
        rc->moving_built = build(w, rc, &rc->moving, true);
        if (!rc->moving_built) return false;
        rc->moving_version = w->moving_version;
        rc->refits = 0;
    } else if (rc->step != w->steps || rc->epoch != w->pose_epoch) {
        refit(w, &rc->moving);
        rc->refits++;
    }
    rc->step = w->steps;
    rc->epoch = w->pose_epoch;
    return true;
}

static void tree_free(rc_tree *t)
{
    free(t->nodes);
    free(t->geom);
    free(t->box);
    free(t->always);
    free(t->always_shape);
    free(t->shape);
}

void ps_raycast_free(ps_world *w)
{
    ps_raycast *rc = w->raycast;
    if (!rc) return;
    tree_free(&rc->fixed);
    tree_free(&rc->moving);
    ps_grid2d_free(&rc->grid);
    scan_free(&rc->scan);
    free(rc->items);
    free(rc);
    w->raycast = NULL;
}

/* ---------------------------------------------------------------- casting */

typedef struct rc_ray {
    ps_world *w;
    const ps_sensor_slot *s;
    const ps_beam *b;
    double o[3], d[3], len; // the exact tests' ray: start (origin + r0 dir), direction, length r1 - r0 (m)
    double inv[3], oinv[3]; // 1 / direction, origin / direction per axis
    double t0;              // m: boxes are entered from here on (r0 - PAD)
    bool placed;      // the ODE ray is at this beam
    float dist;       // best reading so far
    double lim;       // m: no box entered beyond this can hold a nearer reading (limit of dist)
    uint32_t geom;    // its geom, PS_NO_INDEX for none
} rc_ray;

// Distance (m) from the beam's origin to the geom's ODE box (a plane: to the
// plane): the first key of a tie between equal readings, as for the per-shape
// caster that tested geoms nearest first.
static double near_key(const ps_geom_slot *g, ps_vec3 p)
{
    if (dGeomGetClass(g->geom) == dPlaneClass) {
        dVector4 pl;
        dGeomPlaneGetParams(g->geom, pl);
        double len = sqrt(pl[0] * pl[0] + pl[1] * pl[1] + pl[2] * pl[2]);
        return len > 0 ? fabs(pl[0] / len * p.x + pl[1] / len * p.y + pl[2] / len * p.z - pl[3] / len) : 0;
    }
    dReal bb[6];
    dGeomGetAABB(g->geom, bb);
    double dx = fmax(fmax(bb[0] - p.x, p.x - bb[1]), 0), dy = fmax(fmax(bb[2] - p.y, p.y - bb[3]), 0),
           dz = fmax(fmax(bb[4] - p.z, p.z - bb[5]), 0);
    return sqrt(dx * dx + dy * dy + dz * dz);
}

// The sensor's own geoms: its robot's group, its mount body and those joined to it.
static bool skipped(const ps_sensor_slot *s, const ps_geom_slot *g)
{
    if (s->skip_group && g->def.group == s->skip_group) return true;
    if (!ps_body_is_set(g->body)) return false;
    for (size_t k = 0; k < s->skip_count; k++)
        if (g->body.index == s->skip_bodies[k].index && g->body.gen == s->skip_bodies[k].gen) return true;
    return false;
}

// The beam's search limit after its best reading changed.
static inline void set_limit(rc_ray *r)
{
    double a = (double)r->dist + MARGIN, b = r->b->r1 + PAD;
    r->lim = a < b ? a : b;
}

// ODE's ray collider, for the classes without an own test: the sensor's ray
// geom is placed at this beam the first time one is needed.
static bool ode_hit(rc_ray *r, dGeomID geom, double *t)
{
    const ps_beam *b = r->b;
    if (!r->placed) {
        dGeomRaySet(b->ray, r->o[0], r->o[1], r->o[2], b->dir.x, b->dir.y, b->dir.z);
        r->placed = true;
    }
    dContactGeom cg;
    if (dCollide(b->ray, geom, 1, &cg, sizeof cg) < 1) return false;
    *t = cg.depth;
    return true;
}

// Geom slot gi, whose shape is `sh`: a hit at t m from the ray's start becomes
// the reading if nearer (on a tie, the geom nearer by box, then the lower slot).
static void test_shape(rc_ray *r, uint32_t gi, const rc_shape *sh)
{
    const ps_geom_slot *g = &r->w->geoms[gi];
    if (!sh->seen || skipped(r->s, g)) return;
    double t;
    if (!(sh->s.kind != PS_RAYSHAPE_NONE ? ps_rayshape_cast(&sh->s, r->o, r->d, r->len, &t) : ode_hit(r, g->geom, &t)))
        return;
    float d = (float)(r->b->r0 + t);
    if (d < r->dist) {
        r->dist = d;
        r->geom = gi;
        set_limit(r);
    } else if (d == r->dist && r->geom != PS_NO_INDEX) {
        double kn = near_key(g, r->b->origin), ko = near_key(&r->w->geoms[r->geom], r->b->origin);
        if (kn < ko || (kn == ko && gi < r->geom)) r->geom = gi;
    }
}

// Every geom, its shape read now: the reference the grid and tree must match.
static void test_every_geom(rc_ray *r)
{
    for (uint32_t i = 0; i < r->w->geom_count; i++) {
        const ps_geom_slot *g = &r->w->geoms[i];
        if (!g->alive || !g->geom) continue;
        rc_shape sh;
        set_shape(&sh, g->geom);
        test_shape(r, i, &sh);
    }
}

// Entry distance (m) of the beam into a box (lo xyz, hi xyz), if it enters
// before `tmax`. The boxes' padding covers the rounding of b * inv - o * inv.
static inline bool slab(const rc_ray *r, const double *b, double tmax, double *enter)
{
    double t0 = r->t0, t1 = tmax;
    for (int k = 0; k < 3; k++) {
        double a = b[k] * r->inv[k] - r->oinv[k], c = b[3 + k] * r->inv[k] - r->oinv[k];
        double lo = a < c ? a : c, hi = a < c ? c : a; // the bound met first and the one met last
        t0 = lo > t0 ? lo : t0;
        t1 = hi < t1 ? hi : t1;
    }
    *enter = t0;
    return t0 <= t1;
}

static inline double limit(const rc_ray *r) { return r->lim; }

static void traverse(rc_ray *r, const rc_tree *t)
{
    for (uint32_t k = t->count - t->large; k < t->count; k++) {
        const double *bx = &t->box[6 * k];
        double e;
        if (slab(r, bx, limit(r), &e)) test_shape(r, t->geom[k], &t->shape[k]);
    }
    if (!t->node_count) return;
    uint32_t stack[STACK_SIZE];
    double enter[STACK_SIZE];
    int sp = 0;
    double e0;
    if (!slab(r, t->nodes[0].box, limit(r), &e0)) return;
    stack[sp] = 0;
    enter[sp++] = e0;
    while (sp > 0) {
        sp--;
        if (enter[sp] > limit(r)) continue; // a nearer hit was found since it was pushed
        const rc_node *nd = &t->nodes[stack[sp]];
        if (nd->count) {
            for (uint32_t k = nd->first; k < nd->first + nd->count; k++) {
                const double *bx = &t->box[6 * k];
                double e;
                if (slab(r, bx, limit(r), &e)) test_shape(r, t->geom[k], &t->shape[k]);
            }
            continue;
        }
        const rc_node *a = &t->nodes[nd->first], *c = a + 1;
        double ea, ec, lim = limit(r);
        bool ha = slab(r, a->box, lim, &ea), hc = slab(r, c->box, lim, &ec);
        if (sp + 2 > STACK_SIZE) { // deeper than any tree built here: test the whole subtree's leaves
            ha = hc = false;
            for (uint32_t i = 0; i < t->count; i++) test_shape(r, t->geom[i], &t->shape[i]);
        }
        // the nearer child on top
        if (ha && hc && ea <= ec) {
            stack[sp] = nd->first + 1, enter[sp++] = ec;
            stack[sp] = nd->first, enter[sp++] = ea;
        } else if (ha && hc) {
            stack[sp] = nd->first, enter[sp++] = ea;
            stack[sp] = nd->first + 1, enter[sp++] = ec;
        } else if (ha) {
            stack[sp] = nd->first, enter[sp++] = ea;
        } else if (hc) {
            stack[sp] = nd->first + 1, enter[sp++] = ec;
        }
    }
}

static void test_box(rc_ray *r, const rc_tree *t, ps_grid2d *g, uint32_t k)
{
    if (!ps_grid2d_first(g, k)) return;
    double e;
    if (slab(r, &t->box[6 * k], limit(r), &e)) test_shape(r, t->geom[k], &t->shape[k]);
}

// The static geoms: those kept out of the grid, then the cells the beam crosses, nearest first.
static void walk_grid(rc_ray *r, const rc_tree *t, ps_grid2d *g)
{
    ps_grid2d_begin(g);
    for (uint32_t k = 0; k < g->large_count; k++) test_box(r, t, g, g->large[k]);
    if (!g->nx) return;
    // the part of the beam over the grid's rectangle
    const double o[2] = {r->b->origin.x, r->b->origin.y}, d[2] = {r->b->dir.x, r->b->dir.y};
    double t0 = r->b->r0 - PAD, t1 = limit(r);
    for (int k = 0; k < 2; k++) {
        if (fabs(d[k]) < 1e-300) {
            if (o[k] < g->lo[k] || o[k] > g->hi[k]) return;
            continue;
        }
        double a = (g->lo[k] - o[k]) * r->inv[k], c = (g->hi[k] - o[k]) * r->inv[k];
        if (a > c) {
            double x = a;
            a = c;
            c = x;
        }
        t0 = a > t0 ? a : t0;
        t1 = c < t1 ? c : t1;
    }
    if (t0 > t1) return;
    int cell[2], step[2], n[2] = {g->nx, g->ny};
    double next[2], delta[2];
    for (int k = 0; k < 2; k++) {
        double v = floor((o[k] + d[k] * t0 - g->lo[k]) * g->inv_cell);
        cell[k] = v < 0 ? 0 : v > n[k] - 1 ? n[k] - 1 : (int)v;
        if (fabs(d[k]) < 1e-300) {
            step[k] = 0;
            next[k] = delta[k] = INFINITY;
        } else if (d[k] > 0) {
            step[k] = 1;
            next[k] = (g->lo[k] + (cell[k] + 1) * g->cell - o[k]) * r->inv[k];
            delta[k] = g->cell * r->inv[k];
        } else {
            step[k] = -1;
            next[k] = (g->lo[k] + cell[k] * g->cell - o[k]) * r->inv[k];
            delta[k] = -g->cell * r->inv[k];
        }
    }
    // the cell's index in `start` moves by step[0] along x and by step[1] * nx along y
    const ptrdiff_t stride[2] = {step[0], (ptrdiff_t)step[1] * g->nx};
    ptrdiff_t c = (ptrdiff_t)cell[1] * g->nx + cell[0];
    for (;;) {
        for (uint32_t i = g->start[c], end = g->start[c + 1]; i < end; i++) test_box(r, t, g, g->item[i]);
        // leaving this cell beyond the best hit: no geom of a later cell can be nearer
        int k = next[0] < next[1] ? 0 : 1;
        if (next[k] > r->lim) return;
        cell[k] += step[k];
        if ((unsigned)cell[k] >= (unsigned)n[k]) return;
        c += stride[k];
        next[k] += delta[k];
    }
}

/* ---------------------------------------------------------------- scans */

// A pseudo-angle of the direction (x, y) != 0 in [0, 4]: 0 along +x, 1 along
// +y, 2 along -x, 3 along -y, increasing counterclockwise (not in proportion
// to the angle, but monotonic, which is all the sectors need); 4 is 0 again.
static inline double scan_angle(double x, double y)
{
    if (y >= 0) return x >= 0 ? y / (x + y) : 1 - x / (y - x);
    return x < 0 ? 2 - y / (-x - y) : 3 + x / (x - y);
}

// A beam's sector: pseudo-angle a in [0, 4] (4 wraps to sector 0).
static inline uint32_t scan_sector(double a) { return (uint32_t)(a * (SECTORS / 4.0)) & (SECTORS - 1); }

// Puts `it` (distance `key`) into the list item[lo, at) (with `near`, sorted by
// distance, then item) in its place, making it item[lo, at + 1).
static inline void insert_near(uint32_t *item, double *near, uint32_t lo, uint32_t at, uint32_t it, double key)
{
    for (; at > lo && (near[at - 1] > key || (near[at - 1] == key && item[at - 1] > it)); at--) {
        item[at] = item[at - 1];
        near[at] = near[at - 1];
    }
    item[at] = it;
    near[at] = key;
}

// Static item k (box b) for the scan from o (x-y) over range r1: a candidate
// unless beyond the range.
static void scan_candidate(rc_scan *sc, uint32_t *n, size_t *entries, const double *b, uint32_t k, const double o[2],
                           double r1)
{
    // x-y distance from the origin to the footprint (0 inside it)
    double dx = b[0] - o[0] > o[0] - b[3] ? b[0] - o[0] : o[0] - b[3], dy = b[1] - o[1] > o[1] - b[4] ? b[1] - o[1] : o[1] - b[4];
    dx = dx > 0 ? dx : 0;
    dy = dy > 0 ? dy : 0;
    double near = sqrt(dx * dx + dy * dy);
    if (near > r1 + PAD) return;
    uint32_t i = (*n)++;
    sc->cand[i] = k;
    sc->cand_near[i] = near;
    sc->cand_n[i] = 0; // in `all` unless its footprint's directions span few sectors
    if (near <= 1e-6) return; // holds the origin, or nearly
    // the pseudo-angles of the footprint's corners, relative to the first (the footprint spans < 180 deg)
    const double cx[4] = {b[0], b[3], b[3], b[0]}, cy[4] = {b[1], b[1], b[4], b[4]};
    double a0 = scan_angle(cx[0] - o[0], cy[0] - o[1]), lo = 0, hi = 0;
    for (int c = 1; c < 4; c++) {
        double da = scan_angle(cx[c] - o[0], cy[c] - o[1]) - a0;
        da = da > 2 ? da - 4 : da < -2 ? da + 4 : da;
        lo = da < lo ? da : lo;
        hi = da > hi ? da : hi;
    }
    double s0 = floor((a0 + lo - 1e-9) * (SECTORS / 4.0)), s1 = floor((a0 + hi + 1e-9) * (SECTORS / 4.0));
    if (s1 - s0 + 1 > SECTORS / 2 || *entries + (size_t)(s1 - s0 + 1) > sc->entry_cap) return;
    sc->cand_s0[i] = (int32_t)s0;
    sc->cand_n[i] = (int32_t)(s1 - s0) + 1;
    *entries += (size_t)sc->cand_n[i];
}

bool ps_raycast_scan(ps_world *w, ps_vec3 origin, double r1)
{
    ps_raycast *rc = w->raycast;
    if (!rc || !rc->fixed_built) return false;
    rc_scan *sc = &rc->scan;
    const rc_tree *t = &rc->fixed;
    ps_grid2d *g = &rc->grid;
    sc->valid = false;
    if (!sc->start || sc->cap < t->count) return false;
    const double o[2] = {origin.x, origin.y};
    uint32_t n = 0;
    size_t entries = 0;
    // the static items of the grid's cells within r1 (each once), and the large ones
    double reach = r1 + PAD + GRID.pad;
    ps_grid2d_iter it;
    ps_grid2d_query(g, o[0] - reach, o[0] + reach, o[1] - reach, o[1] + reach, &it);
    for (uint32_t k; ps_grid2d_next(g, &it, &k);) scan_candidate(sc, &n, &entries, &t->box[6 * k], k, o, r1);
    // count per sector, offsets, fill; then each sector's list and `all` nearest first
    memset(sc->fill, 0, SECTORS * sizeof *sc->fill);
    for (uint32_t i = 0; i < n; i++)
        for (int32_t s = 0; s < sc->cand_n[i]; s++) sc->fill[(uint32_t)(sc->cand_s0[i] + s) & (SECTORS - 1)]++;
    sc->start[0] = 0;
    for (uint32_t s = 0; s < SECTORS; s++) {
        sc->start[s + 1] = sc->start[s] + sc->fill[s];
        sc->fill[s] = sc->start[s];
    }
    for (uint32_t i = 0; i < n; i++)
        for (int32_t s = 0; s < sc->cand_n[i]; s++) { // into its sector, in order of distance
            uint32_t sector = (uint32_t)(sc->cand_s0[i] + s) & (SECTORS - 1), at = sc->fill[sector]++;
            insert_near(sc->entry, sc->entry_near, sc->start[sector], at, sc->cand[i], sc->cand_near[i]);
        }
    sc->all_count = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!sc->cand_n[i]) insert_near(sc->all, sc->all_near, 0, sc->all_count++, sc->cand[i], sc->cand_near[i]);
    sc->valid = true;
    return true;
}

// The static geoms for a beam of the current scan: `all`, then the beam's sector, nearest first.
static void walk_scan(rc_ray *r, const rc_tree *t, const rc_scan *sc)
{
    double e;
    for (uint32_t k = 0; k < sc->all_count && !(sc->all_near[k] > r->lim); k++)
        if (slab(r, &t->box[6 * sc->all[k]], r->lim, &e)) test_shape(r, t->geom[sc->all[k]], &t->shape[sc->all[k]]);
    double dx = r->d[0], dy = r->d[1];
    if (dx == 0 && dy == 0) return; // straight up or down: only footprints holding the origin (in `all`)
    uint32_t s = scan_sector(scan_angle(dx, dy));
    for (uint32_t i = sc->start[s], end = sc->start[s + 1]; i < end && !(sc->entry_near[i] > r->lim); i++) {
        uint32_t k = sc->entry[i];
        if (slab(r, &t->box[6 * k], r->lim, &e)) test_shape(r, t->geom[k], &t->shape[k]);
    }
}

// Geoms without a bounded box (planes): every beam tests them.
static void test_always(rc_ray *r, const rc_tree *t)
{
    for (uint32_t k = 0; k < t->always_count; k++) {
        const rc_shape *sh = &t->always_shape[k];
        double x;
        if (sh->s.kind == PS_RAYSHAPE_PLANE && !rs_cast_plane(&sh->s, r->o, r->d, r->len, &x)) continue; // most beams
        test_shape(r, t->always[k], sh);
    }
}

void ps_raycast_beam(ps_world *w, const ps_sensor_slot *s, const ps_beam *b, bool exhaustive, float *dist,
                     int32_t *hit)
{
    rc_ray r = {.w = w,
                .s = s,
                .b = b,
                .o = {b->origin.x + b->dir.x * b->r0, b->origin.y + b->dir.y * b->r0, b->origin.z + b->dir.z * b->r0},
                .d = {b->dir.x, b->dir.y, b->dir.z},
                .len = b->r1 - b->r0,
                .dist = *dist,
                .geom = PS_NO_INDEX};
    set_limit(&r);
    if (exhaustive || !w->raycast) {
        test_every_geom(&r);
    } else {
        const double d[3] = {b->dir.x, b->dir.y, b->dir.z};
        const double o[3] = {b->origin.x, b->origin.y, b->origin.z};
        for (int k = 0; k < 3; k++) {
            r.inv[k] = 1.0 / (fabs(d[k]) < 1e-300 ? 1e-300 : d[k]);
            r.oinv[k] = o[k] * r.inv[k];
        }
        r.t0 = b->r0 - PAD;
        if (b->scan && w->raycast->scan.valid) walk_scan(&r, &w->raycast->fixed, &w->raycast->scan);
        else walk_grid(&r, &w->raycast->fixed, &w->raycast->grid);
        traverse(&r, &w->raycast->moving);
        test_always(&r, &w->raycast->fixed);
        test_always(&r, &w->raycast->moving);
    }
    if (r.geom == PS_NO_INDEX) return;
    *dist = r.dist;
    const ps_geom_slot *g = &w->geoms[r.geom];
    *hit = ps_body_is_set(g->body) ? (int32_t)g->body.index + 1 : -1;
}
