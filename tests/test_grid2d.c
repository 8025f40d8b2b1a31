// The static geoms' x-y grid (sim/src/core/grid2d.c) shared by the broad phase
// and the lidar, against brute force: random rectangles (small, long, huge,
// degenerate, inverted, infinite, NaN) in the broad phase's and the lidar's
// box layouts and cuts; every query over a random rectangle must yield each
// item whose padded rectangle overlaps the query's exactly once (the large
// ones included), and nothing twice; cells list their items ascending, and an
// item is kept out of the cells exactly when it is not finite or spans more
// than span_max cells. Also: rebuilding a grid with fewer and more items, and
// a query after the stamps' counter wrapped round.
#include "grid2d.h"
#include "harness.h"
#include "pilotsim/rng.h"

#include <math.h>

static ps_rng rng;
static double urange(double a, double b) { return a + (b - a) * ps_rng_uniform(&rng); }

// The broad phase's layout (ODE's lo x, hi x, lo y, hi y, lo z, hi z, then
// other fields) and the lidar's (lo xyz, hi xyz).
typedef struct ode_box {
    double box[6];
    void *geom;
} ode_box;

enum { MAX_ITEMS = 400 };

// Item rectangles r[i] = lo x, hi x, lo y, hi y: mostly small, some long or
// huge, a few inverted, infinite or NaN.
static void random_rects(double (*r)[4], uint32_t n, double world)
{
    for (uint32_t i = 0; i < n; i++) {
        double cx = urange(-world, world), cy = urange(-world, world);
        double hx = urange(0, 0.05 * world), hy = urange(0, 0.05 * world);
        int kind = (int)ps_rng_range(&rng, 0, 39);
        if (kind == 0) hx = urange(0.3, 1) * world; // a long wall
        if (kind == 1) hx = hy = 0;                 // a point
        r[i][0] = cx - hx, r[i][1] = cx + hx, r[i][2] = cy - hy, r[i][3] = cy + hy;
        if (kind == 2) r[i][0] = -INFINITY, r[i][1] = INFINITY; // a plane's box
        if (kind == 3) r[i][2] = NAN;
        if (kind == 4) r[i][0] = cx + 1, r[i][1] = cx - 1; // inverted
    }
}

static bool finite_rect(const double *b)
{
    for (int k = 0; k < 4; k++)
        if (!isfinite(b[k])) return false;
    return b[0] <= b[1] && b[2] <= b[3];
}

// Every query yields each overlapping item once, and the grid's cells and
// `large` list are as documented.
static void check_grid(ps_grid2d *g, const ps_grid2d_spec *spec, double (*r)[4], uint32_t n, double world)
{
    double p = spec->pad;
    // cells: items ascending; `large` holds exactly the items not in a cell
    static int in_cells[MAX_ITEMS];
    memset(in_cells, 0, sizeof in_cells);
    size_t cells = (size_t)g->nx * (size_t)g->ny;
    CHECK(g->nx <= spec->max_side && g->ny <= spec->max_side);
    for (size_t c = 0; c < cells; c++)
        for (uint32_t k = g->start[c]; k < g->start[c + 1]; k++) {
            CHECK(g->item[k] < n);
            if (k > g->start[c]) CHECK(g->item[k - 1] < g->item[k]);
            in_cells[g->item[k]]++;
        }
    for (uint32_t l = 0; l < g->large_count; l++) {
        CHECK(!in_cells[g->large[l]]);
        if (l) CHECK(g->large[l - 1] < g->large[l]);
    }
    for (uint32_t i = 0; i < n; i++) {
        bool large = false;
        for (uint32_t l = 0; l < g->large_count; l++) large |= g->large[l] == i;
        CHECK(large != (in_cells[i] > 0));
        if (!finite_rect(r[i])) CHECK(large);
        if (large && finite_rect(r[i]) && g->nx) { // only for its span
            long sx = ps_grid2d_cell(g, 0, r[i][1] + p) - ps_grid2d_cell(g, 0, r[i][0] - p) + 1;
            long sy = ps_grid2d_cell(g, 1, r[i][3] + p) - ps_grid2d_cell(g, 1, r[i][2] - p) + 1;
            CHECK(sx * sy > (long)spec->span_max);
        }
    }
    // queries against brute force
    static int seen[MAX_ITEMS];
    for (int q = 0; q < 200; q++) {
        double cx = urange(-1.2 * world, 1.2 * world), cy = urange(-1.2 * world, 1.2 * world);
        double hx = q % 10 ? urange(0, 0.1 * world) : urange(0, 2 * world), hy = urange(0, 0.1 * world);
        double x0 = cx - hx, x1 = cx + hx, y0 = cy - hy, y1 = cy + hy;
        memset(seen, 0, sizeof seen);
        ps_grid2d_iter it;
        ps_grid2d_query(g, x0, x1, y0, y1, &it);
        for (uint32_t i; ps_grid2d_next(g, &it, &i);) {
            CHECK(i < n);
            if (i < n) seen[i]++;
        }
        for (uint32_t i = 0; i < n; i++) {
            CHECK(seen[i] <= 1);
            bool large = in_cells[i] == 0;
            bool overlap = finite_rect(r[i]) && !(r[i][1] + p < x0 - p || r[i][0] - p > x1 + p ||
                                                  r[i][3] + p < y0 - p || r[i][2] - p > y1 + p);
            if (large || overlap) CHECK_EQ(seen[i], 1);
        }
    }
}

// The broad phase's cut and layout.
static void test_ode_layout(void)
{
    static const ps_grid2d_spec spec = {.per_cell = 1, .max_side = 256, .span_max = 64, .pad = 0};
    static ode_box items[MAX_ITEMS];
    static double r[MAX_ITEMS][4];
    ps_grid2d g = {0};
    const uint32_t counts[] = {0, 1, 7, 150, MAX_ITEMS, 30}; // grows, then shrinks: the arrays are reused
    for (int round = 0; round < (int)(sizeof counts / sizeof *counts); round++) {
        uint32_t n = counts[round];
        double world = round % 2 ? 40 : 3;
        random_rects(r, n, world);
        for (uint32_t i = 0; i < n; i++) {
            items[i] = (ode_box){.box = {r[i][0], r[i][1], r[i][2], r[i][3], -1, 1}};
            if (i % 17 == 5) items[i].box[5] = INFINITY; // only z unbounded: still binned by x-y
        }
        const ps_grid2d_rects rects = {.base = items,
                                       .stride = sizeof *items,
                                       .at = {offsetof(ode_box, box[0]), offsetof(ode_box, box[1]),
                                              offsetof(ode_box, box[2]), offsetof(ode_box, box[3])},
                                       .count = n};
        CHECK(ps_grid2d_build(&g, &spec, &rects));
        check_grid(&g, &spec, r, n, world);
    }
    ps_grid2d_free(&g);
    CHECK(g.start == NULL && g.nx == 0);
}

// The lidar's cut and layout, with its padding; then a query after the stamps'
// counter wrapped round.
static void test_lohi_layout(void)
{
    static const ps_grid2d_spec spec = {.per_cell = 2, .max_side = 1024, .span_max = 256, .pad = 1e-6};
    static double box[MAX_ITEMS][6];
    static double r[MAX_ITEMS][4];
    ps_grid2d g = {0};
    for (int round = 0; round < 4; round++) {
        uint32_t n = round ? MAX_ITEMS / (uint32_t)round : 3;
        double world = round == 2 ? 1e-4 : 25; // tiny: the 1e-6 m cell floor
        random_rects(r, n, world);
        for (uint32_t i = 0; i < n; i++) {
            const double b[6] = {r[i][0], r[i][2], 0, r[i][1], r[i][3], 1};
            memcpy(box[i], b, sizeof b);
        }
        const size_t d = sizeof(double);
        const ps_grid2d_rects rects = {.base = box, .stride = 6 * d, .at = {0, 3 * d, d, 4 * d}, .count = n};
        CHECK(ps_grid2d_build(&g, &spec, &rects));
        check_grid(&g, &spec, r, n, world);
    }
    g.mark = UINT32_MAX; // the next query wraps the counter: stamps of old queries must not hide items
    for (uint32_t i = 0; i < g.count; i++) g.stamp[i] = 1;
    check_grid(&g, &spec, r, g.count, 25);
    ps_grid2d_free(&g);
}

// Coordinates whose extent overflows: no cell, every item large.
static void test_overflow(void)
{
    static const ps_grid2d_spec spec = {.per_cell = 1, .max_side = 256, .span_max = 64, .pad = 0};
    double r[3][4] = {{-1e308, -1e308 + 1e300, 0, 1}, {1e308 - 1e300, 1e308, 0, 1}, {0, 1, 0, 1}};
    const ps_grid2d_rects rects = {.base = r, .stride = sizeof *r, .at = {0, 8, 16, 24}, .count = 3};
    ps_grid2d g = {0};
    CHECK(ps_grid2d_build(&g, &spec, &rects));
    CHECK(g.nx == 0 && g.large_count == 3);
    check_grid(&g, &spec, r, 3, 1);
    ps_grid2d_free(&g);
}

int main(void)
{
    ps_rng_seed(&rng, 20261206);
    RUN(test_ode_layout);
    RUN(test_lohi_layout);
    RUN(test_overflow);
    return TEST_DONE();
}
