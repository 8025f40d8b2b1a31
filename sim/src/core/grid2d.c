// Uniform x-y grid of items' rectangles (see grid2d.h): sized from the items'
// union, then filled by a counting sort (counts per cell, offsets, items).
#include "grid2d.h"
#include "util.h"

#include <stdlib.h>

static inline double rect_at(const ps_grid2d_rects *r, uint32_t i, int k)
{
    double v;
    memcpy(&v, (const char *)r->base + (size_t)i * r->stride + r->at[k], sizeof v);
    return v;
}

// Item i's rectangle (lo x, hi x, lo y, hi y); false when it cannot be binned.
static bool rect_of(const ps_grid2d_rects *r, uint32_t i, double b[4])
{
    for (int k = 0; k < 4; k++) b[k] = rect_at(r, i, k);
    for (int k = 0; k < 4; k++)
        if (!isfinite(b[k])) return false;
    return b[0] <= b[1] && b[2] <= b[3];
}

// The cells item i covers; false when it goes to `large` instead.
static bool cells_of(const ps_grid2d *g, const ps_grid2d_rects *r, uint32_t i, int c[4])
{
    double b[4];
    if (!g->nx || !rect_of(r, i, b)) return false;
    double p = g->spec.pad;
    c[0] = ps_grid2d_cell(g, 0, b[0] - p), c[1] = ps_grid2d_cell(g, 0, b[1] + p);
    c[2] = ps_grid2d_cell(g, 1, b[2] - p), c[3] = ps_grid2d_cell(g, 1, b[3] + p);
    return (uint64_t)(c[1] - c[0] + 1) * (uint64_t)(c[3] - c[2] + 1) <= g->spec.span_max;
}

// The grid's rectangle and cells over the binnable items (none: nx = 0).
static void frame(ps_grid2d *g, const ps_grid2d_rects *r)
{
    g->nx = g->ny = 0;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->count; i++) {
        double b[4];
        if (!rect_of(r, i, b)) continue;
        n++;
        lo[0] = fmin(lo[0], b[0]), hi[0] = fmax(hi[0], b[1]);
        lo[1] = fmin(lo[1], b[2]), hi[1] = fmax(hi[1], b[3]);
    }
    if (!n) return;
    double wx = hi[0] - lo[0], wy = hi[1] - lo[1];
    double cell = sqrt(fmax(wx * wy, 1e-12) / (g->spec.per_cell * n));
    cell = fmax(cell, fmax(wx, wy) / g->spec.max_side);
    cell = fmax(cell, 1e-6);
    if (!isfinite(cell)) return; // coordinates near the doubles' range: every item is large
    memcpy(g->lo, lo, sizeof lo);
    memcpy(g->hi, hi, sizeof hi);
    g->cell = cell;
    g->inv_cell = 1 / cell;
    g->nx = (int)fmin(ceil(wx * g->inv_cell), g->spec.max_side - 1) + 1;
    g->ny = (int)fmin(ceil(wy * g->inv_cell), g->spec.max_side - 1) + 1;
}

// Counting sort of the items into the cells: counts, offsets, then the items
// in ascending order with start[] as cursors, which end one cell ahead.
static bool fill(ps_grid2d *g, const ps_grid2d_rects *r)
{
    size_t cells = (size_t)g->nx * (size_t)g->ny;
    if (cells >= UINT32_MAX) return false;
    if (!ps_grow((void **)&g->start, &g->start_cap, (uint32_t)cells + 1, sizeof *g->start)) return false;
    memset(g->start, 0, (cells + 1) * sizeof *g->start);
    uint64_t items = 0;
    for (uint32_t i = 0; i < r->count; i++) {
        int c[4];
        if (!cells_of(g, r, i, c)) {
            g->large[g->large_count++] = i;
            continue;
        }
        items += (uint64_t)(c[1] - c[0] + 1) * (uint64_t)(c[3] - c[2] + 1);
        for (int y = c[2]; y <= c[3]; y++)
            for (int x = c[0]; x <= c[1]; x++) g->start[(size_t)y * (size_t)g->nx + (size_t)x + 1]++;
    }
    if (items >= UINT32_MAX) return false;
    for (size_t c = 0; c < cells; c++) g->start[c + 1] += g->start[c];
    if (!ps_grow((void **)&g->item, &g->item_cap, items ? (uint32_t)items : 1, sizeof *g->item)) return false;
    for (uint32_t i = 0, l = 0; i < r->count; i++) {
        if (l < g->large_count && g->large[l] == i) {
            l++;
            continue;
        }
        int c[4];
        cells_of(g, r, i, c);
        for (int y = c[2]; y <= c[3]; y++)
            for (int x = c[0]; x <= c[1]; x++) g->item[g->start[(size_t)y * (size_t)g->nx + (size_t)x]++] = i;
    }
    memmove(g->start + 1, g->start, cells * sizeof *g->start); // cursors back to offsets
    g->start[0] = 0;
    return true;
}

bool ps_grid2d_build(ps_grid2d *g, const ps_grid2d_spec *spec, const ps_grid2d_rects *r)
{
    g->spec = *spec;
    g->count = r->count;
    g->large_count = 0;
    g->mark = 0;
    uint32_t n = r->count ? r->count : 1;
    bool ok = ps_grow((void **)&g->large, &g->large_cap, n, sizeof *g->large) &&
              ps_grow((void **)&g->stamp, &g->stamp_cap, n, sizeof *g->stamp);
    if (ok) {
        memset(g->stamp, 0, n * sizeof *g->stamp);
        frame(g, r);
        ok = fill(g, r);
    }
    if (!ok) g->nx = g->ny = 0, g->large_count = 0;
    return ok;
}

void ps_grid2d_free(ps_grid2d *g)
{
    free(g->start);
    free(g->item);
    free(g->large);
    free(g->stamp);
    memset(g, 0, sizeof *g);
}
