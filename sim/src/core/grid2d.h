// A uniform grid of square cells over the x-y plane, binning items (static
// geoms' bounding boxes) by the cells their x-y rectangles overlap, with the
// boxes' full height (grid2d.c). Shared by the broad phase (broad.c: which
// static geoms a moving geom's box may touch) and the lidar (raycast.c: which
// static geoms a beam may meet, walking the cells it crosses).
//
// - built once from n rectangles (m) read in place from the caller's array
//   (ps_grid2d_rects), by a counting sort: each cell lists its items in
//   ascending order;
// - an item whose rectangle is not finite (or inverted), or would cover more
//   than spec.span_max cells, is kept out of the cells in `large` (ascending):
//   every query yields it;
// - queries stamp the items they yield, so that an item overlapping many cells
//   is yielded once per query.
//
// The grid owns its arrays; they grow to their peak and are reused by later
// builds (no allocation after warm-up). Units are metres throughout.
#ifndef PS_GRID2D_H
#define PS_GRID2D_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/// How a grid is cut. The cell side is sqrt(area / (per_cell * items)) over
/// the items' rectangle, at least its longer side / max_side and 1e-6 m.
typedef struct ps_grid2d_spec {
    double per_cell;   // items per cell aimed at (> 0)
    int max_side;      // cells per side at most (>= 1)
    uint32_t span_max; // an item over more cells is kept out of them (`large`)
    double pad;        // m: rectangles are binned and queried this much wider on each side (>= 0)
} ps_grid2d_spec;

/// The x-y rectangles of items 0 .. count - 1, read in place: item i's lo x is
/// the double at byte base + i * stride + at[0], its hi x at at[1], lo y at
/// at[2], hi y at at[3]. The caller owns the array.
typedef struct ps_grid2d_rects {
    const void *base;
    size_t stride;
    size_t at[4];
    uint32_t count;
} ps_grid2d_rects;

/// A grid (zero it before the first build). Its fields are read-only outside
/// grid2d.c: a walk of its own (the lidar's beam) reads lo, cell, inv_cell,
/// nx, ny, start and item, and stamps with ps_grid2d_begin and ps_grid2d_first.
typedef struct ps_grid2d {
    ps_grid2d_spec spec;
    double lo[2], hi[2];  // m: the union of the binned rectangles (unpadded)
    double cell, inv_cell;// m, 1/m
    int nx, ny;           // cells per side; 0 when no rectangle is finite (or their union overflows)
    uint32_t count;       // items given to the last build
    uint32_t *start;      // nx * ny + 1 offsets into `item`
    uint32_t *item;       // per cell (y-major), its items ascending
    uint32_t *large;      // items kept out of the cells, ascending
    uint32_t large_count;
    uint32_t *stamp;      // per item, the last query that yielded it
    uint32_t mark;        // the current query
    uint32_t start_cap, item_cap, large_cap, stamp_cap;
} ps_grid2d;

/// Bins `r` into `g` (a zeroed grid or one built before) cut by `spec`.
/// false when out of memory (the grid is then empty: nx = large_count = 0).
bool ps_grid2d_build(ps_grid2d *g, const ps_grid2d_spec *spec, const ps_grid2d_rects *r);

/// Frees the grid's arrays and zeroes it.
void ps_grid2d_free(ps_grid2d *g);

/// Cell of coordinate v (m) along axis k (0 x, 1 y), clamped to the grid (NaN
/// gives 0). The grid must hold cells (nx > 0).
static inline int ps_grid2d_cell(const ps_grid2d *g, int k, double v)
{
    double c = floor((v - g->lo[k]) * g->inv_cell);
    int last = (k ? g->ny : g->nx) - 1;
    if (!(c >= 0)) return 0;
    if (c >= last) return last;
    return (int)c;
}

/// Starts a new query: no item is stamped as yielded by it yet.
static inline void ps_grid2d_begin(ps_grid2d *g)
{
    if (++g->mark == 0) { // wrapped: forget every stamp
        memset(g->stamp, 0, g->count * sizeof *g->stamp);
        g->mark = 1;
    }
}

/// true the first time item i is seen in the current query (and stamps it).
static inline bool ps_grid2d_first(ps_grid2d *g, uint32_t i)
{
    if (g->stamp[i] == g->mark) return false;
    g->stamp[i] = g->mark;
    return true;
}

/// A query in progress over a rectangle (ps_grid2d_query, ps_grid2d_next).
typedef struct ps_grid2d_iter {
    uint32_t l;          // next of `large` to yield
    uint32_t k, end;     // the current cell's items still to yield: item[k, end)
    int x0, x1, y1, x, y; // cells x0 .. x1 of rows up to y1; (x, y) the current one
} ps_grid2d_iter;

/// Starts a query (ps_grid2d_begin) of the items whose padded rectangles may
/// overlap x-y rectangle [x0, x1] x [y0, y1] (m, padded by spec.pad as the
/// items were): ps_grid2d_next yields the `large` items, then those of the
/// cells it covers, row by row, each once.
static inline void ps_grid2d_query(ps_grid2d *g, double x0, double x1, double y0, double y1, ps_grid2d_iter *it)
{
    ps_grid2d_begin(g);
    *it = (ps_grid2d_iter){.x0 = 0, .x1 = -1, .x = -1, .y = 0, .y1 = -1};
    if (!g->nx) return;
    double p = g->spec.pad;
    it->x0 = ps_grid2d_cell(g, 0, x0 - p), it->x1 = ps_grid2d_cell(g, 0, x1 + p);
    it->y = ps_grid2d_cell(g, 1, y0 - p), it->y1 = ps_grid2d_cell(g, 1, y1 + p);
    it->x = it->x0 - 1;
}

/// The query's next item into *item; false when there is none left.
static inline bool ps_grid2d_next(ps_grid2d *g, ps_grid2d_iter *it, uint32_t *item)
{
    if (it->l < g->large_count) {
        *item = g->large[it->l++];
        return true;
    }
    for (;;) {
        while (it->k < it->end) {
            uint32_t i = g->item[it->k++];
            if (ps_grid2d_first(g, i)) {
                *item = i;
                return true;
            }
        }
        if (++it->x > it->x1) {
            it->x = it->x0;
            if (++it->y > it->y1) return false;
        }
        size_t c = (size_t)it->y * (size_t)g->nx + (size_t)it->x;
        it->k = g->start[c];
        it->end = g->start[c + 1];
    }
}

#endif
