// Ray casting for lidar and proximity sensors: one ODE ray geom per beam, in
// a space of the sensor's own (never in the world's space, so rays take part
// in no contact), tested against the world's geoms that their angular span
// can reach. Rays start at range_min; the sensor's own robot (its group and
// the bodies joined to the mount body) is skipped.
#include "world_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TWO_PI 6.28318530717958647692

typedef struct cast_ctx {
    ps_world *w;
    ps_sensor_slot *s;
    float *dist;
    int32_t *hits;
    const double *dirw;  // beam directions in the world frame, 3 per beam
} cast_ctx;

bool ps_lidar_init(ps_world *w, ps_sensor_slot *s)
{
    (void)w;
    const ps_sensor_def *d = &s->def;
    size_t n = s->count;
    s->rays = calloc(n, sizeof *s->rays);
    s->dirs = calloc(3 * n, sizeof *s->dirs);
    s->dirw = calloc(3 * n, sizeof *s->dirw);
    if (!s->rays || !s->dirs || !s->dirw) return false;
    s->ray_space = dSimpleSpaceCreate(0);
    dSpaceSetCleanup(s->ray_space, 1);
    int hb = d->type == PS_SENSOR_PROXIMITY ? 1 : d->h_beams, vb = d->type == PS_SENSOR_PROXIMITY ? 1 : d->v_beams;
    bool full = d->h_fov >= TWO_PI - 1e-9;
    for (int v = 0; v < vb; v++) {
        double el = vb == 1 ? 0.5 * (d->v_min + d->v_max) : d->v_min + (d->v_max - d->v_min) * v / (vb - 1);
        for (int h = 0; h < hb; h++) {
            double az = hb == 1 ? 0 : full ? -TWO_PI / 2 + TWO_PI * h / hb : -d->h_fov / 2 + d->h_fov * h / (hb - 1);
            if (d->type == PS_SENSOR_PROXIMITY) az = el = 0;
            size_t i = (size_t)v * (size_t)hb + (size_t)h;
            s->dirs[3 * i] = cos(el) * cos(az);
            s->dirs[3 * i + 1] = cos(el) * sin(az);
            s->dirs[3 * i + 2] = sin(el);
            s->rays[i] = dCreateRay(s->ray_space, d->range_max - d->range_min);
            dGeomSetData(s->rays[i], (void *)(uintptr_t)i);
            dGeomRaySetClosestHit(s->rays[i], 1);
        }
    }
    return true;
}

void ps_lidar_free(ps_sensor_slot *s)
{
    if (s->ray_space) dSpaceDestroy(s->ray_space); // destroys the rays (cleanup mode)
    s->ray_space = NULL;
    free(s->rays);
    free(s->dirs);
    free(s->dirw);
    free(s->cand);
    s->rays = NULL;
    s->dirs = NULL;
    s->dirw = NULL;
    s->cand = NULL;
    s->cand_cap = 0;
}

// A geom a scan tests: the beams its angular span covers and how near any of
// its points can be (a beam's reading is the distance of its hit point from
// the sensor, so a beam that already hit nearer cannot be improved by it).
struct ps_lidar_cand {
    const ps_geom_slot *g;
    uint32_t index;          // geom slot, the tie-break of the order
    int h0, h1, v0, v1;
    double near;             // m, lower bound of any hit distance on this geom
    bool plane;
    double n[4];             // plane: unit normal and offset
};

// Angular culling instead of a broad phase: each world geom's AABB is
// projected into the sensor frame and only the beams inside its azimuth and
// elevation span are tested against it with dCollide. Rays' own AABBs are
// long and thin, so ODE's spaces pair every ray with most of the world
// (12 candidate pairs per beam in a 50-obstacle room); this tests ~1.
// Planes, shapes around the sensor's axis and single beams test every beam.
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_cand(const void *a, const void *b)
{
    const struct ps_lidar_cand *x = a, *y = b;
    if (x->near != y->near) return x->near < y->near ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static void beam_test(cast_ctx *c, size_t i, dGeomID other, const ps_geom_slot *g)
{
    dContactGeom cg;
    if (dCollide(c->s->rays[i], other, 1, &cg, sizeof cg) < 1) return;
    float d = (float)(c->s->def.range_min + cg.depth);
    if (d < c->dist[i]) {
        c->dist[i] = d;
        c->hits[i] = ps_body_is_set(g->body) ? (int32_t)g->body.index + 1 : -1;
    }
}

static void cull_cast(cast_ctx *c, ps_pose m)
{
    ps_world *w = c->w;
    ps_sensor_slot *s = c->s;
    const ps_sensor_def *d = &s->def;
    int hb = d->type == PS_SENSOR_PROXIMITY ? 1 : d->h_beams, vb = d->type == PS_SENSOR_PROXIMITY ? 1 : d->v_beams;
    bool full = d->h_fov >= TWO_PI - 1e-9;
    ps_quat qi = {m.q.w, -m.q.x, -m.q.y, -m.q.z};
    size_t nc = 0;
    for (uint32_t gi = 0; gi < w->geom_count; gi++) {
        const ps_geom_slot *g = &w->geoms[gi];
        if (!g->alive || !g->geom) continue;
        if (!dGeomGetCategoryBits(g->geom) && !dGeomGetCollideBits(g->geom)) continue;
        if (s->skip_group && g->def.group == s->skip_group) continue;
        bool own = false;
        for (size_t k = 0; k < s->skip_count && !own; k++)
            own = g->body.index == s->skip_bodies[k].index && g->body.gen == s->skip_bodies[k].gen;
        if (own) continue;
        int h0 = 0, h1 = hb - 1, v0 = 0, v1 = vb - 1;
        bool all = dGeomGetClass(g->geom) == dPlaneClass || hb == 1;
        if (!all) {
            dReal bb[6];
            dGeomGetAABB(g->geom, bb);
            // Beyond range_max: skip.
            double dx = fmax(fmax(bb[0] - m.p.x, m.p.x - bb[1]), 0), dy = fmax(fmax(bb[2] - m.p.y, m.p.y - bb[3]), 0),
                   dz = fmax(fmax(bb[4] - m.p.z, m.p.z - bb[5]), 0);
            if (dx * dx + dy * dy + dz * dz > d->range_max * d->range_max) continue;
            double az[8], el_lo = 1e9, el_hi = -1e9, zlo = 1e300, zhi = -1e300;
            bool planar = vb == 1 && d->v_min + d->v_max == 0;
            for (int k = 0; k < 8; k++) {
                ps_vec3 p = {bb[k & 1] - m.p.x, bb[2 + ((k >> 1) & 1)] - m.p.y, bb[4 + ((k >> 2) & 1)] - m.p.z};
                p = ps_quat_rotate(qi, p);
                az[k] = atan2(p.y, p.x);
                zlo = fmin(zlo, p.z);
                zhi = fmax(zhi, p.z);
                if (planar) continue;
                double el = atan2(p.z, hypot(p.x, p.y));
                el_lo = fmin(el_lo, el);
                el_hi = fmax(el_hi, el);
            }
            if (planar && (zlo > 0 || zhi < 0)) continue; // entirely above or below the scan plane
            qsort(az, 8, sizeof az[0], cmp_d);
            double gap = az[0] + TWO_PI - az[7], lo = az[0], hi = az[7];
            for (int k = 0; k < 7; k++)
                if (az[k + 1] - az[k] > gap) gap = az[k + 1] - az[k], lo = az[k + 1], hi = az[k] + TWO_PI;
            if (gap < 3.14159265358979) all = true; // the shape surrounds the sensor's axis
            else {
                // beams h with azimuth in [lo, hi] (hi may exceed pi: wraps)
                double step = full ? TWO_PI / hb : d->h_fov / (hb - 1), base = full ? -TWO_PI / 2 : -d->h_fov / 2;
                h0 = (int)floor((lo - base) / step) - 1;
                h1 = (int)ceil((hi - base) / step) + 1;
                if (!full) {
                    if (h0 < 0) h0 = 0;
                    if (h1 > hb - 1) h1 = hb - 1;
                    if (hi > TWO_PI / 2) h1 = hb - 1, h0 = 0; // wrapped partial fov: test all (rare)
                    if (h0 > h1) continue;
                } else if (h1 - h0 >= hb) {
                    h0 = 0, h1 = hb - 1;
                }
                if (vb > 1) {
                    double vs = (d->v_max - d->v_min) / (vb - 1);
                    v0 = (int)floor((el_lo - d->v_min) / vs) - 1;
                    v1 = (int)ceil((el_hi - d->v_min) / vs) + 1;
                    if (v0 < 0) v0 = 0;
                    if (v1 > vb - 1) v1 = vb - 1;
                    if (v0 > v1) continue;
                }
            }
        }
        if (all) h0 = 0, h1 = hb - 1, v0 = 0, v1 = vb - 1;
        if (nc == s->cand_cap) {
            size_t cap = s->cand_cap ? 2 * s->cand_cap : 64;
            struct ps_lidar_cand *nb = realloc(s->cand, cap * sizeof *nb);
            if (!nb) { // out of memory: test this geom now, unordered (still exact)
                for (int v = v0; v <= v1; v++)
                    for (int hh = h0; hh <= h1; hh++)
                        beam_test(c, (size_t)v * (size_t)hb + (size_t)(((hh % hb) + hb) % hb), g->geom, g);
                continue;
            }
            s->cand = nb;
            s->cand_cap = cap;
        }
        struct ps_lidar_cand *k = &s->cand[nc++];
        *k = (struct ps_lidar_cand){.g = g, .index = gi, .h0 = h0, .h1 = h1, .v0 = v0, .v1 = v1};
        if (dGeomGetClass(g->geom) == dPlaneClass) {
            dVector4 pl;
            dGeomPlaneGetParams(g->geom, pl);
            double len = sqrt(pl[0] * pl[0] + pl[1] * pl[1] + pl[2] * pl[2]);
            k->plane = len > 0;
            if (k->plane)
                for (int j = 0; j < 4; j++) k->n[j] = pl[j] / len;
            k->near = k->plane ? fabs(k->n[0] * m.p.x + k->n[1] * m.p.y + k->n[2] * m.p.z - k->n[3]) : 0;
        } else {
            dReal bb[6];
            dGeomGetAABB(g->geom, bb);
            double dx = fmax(fmax(bb[0] - m.p.x, m.p.x - bb[1]), 0), dy = fmax(fmax(bb[2] - m.p.y, m.p.y - bb[3]), 0),
                   dz = fmax(fmax(bb[4] - m.p.z, m.p.z - bb[5]), 0);
            k->near = sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    // Nearest geoms first: a beam that already hit something nearer than every
    // point of a geom skips that geom. A plane is tested only by the beams whose
    // segment reaches across it. Both skips drop tests that cannot give a nearer
    // hit, so the readings are those of testing everything (on an exact tie the
    // nearer-ordered geom's id is kept).
    if (nc > 1) qsort(s->cand, nc, sizeof *s->cand, cmp_cand);
    const double r0 = d->range_min, r1 = d->range_max, margin = 1e-4;
    for (size_t ci = 0; ci < nc; ci++) {
        const struct ps_lidar_cand *k = &s->cand[ci];
        double f0 = 0, fd = 0;
        if (k->plane) f0 = k->n[0] * m.p.x + k->n[1] * m.p.y + k->n[2] * m.p.z - k->n[3];
        for (int v = k->v0; v <= k->v1; v++)
            for (int hh = k->h0; hh <= k->h1; hh++) {
                size_t i = (size_t)v * (size_t)hb + (size_t)(((hh % hb) + hb) % hb);
                if (k->near > (double)c->dist[i] + margin) continue;
                if (k->plane) {
                    const double *u = &c->dirw[3 * i];
                    fd = k->n[0] * u[0] + k->n[1] * u[1] + k->n[2] * u[2];
                    double a = f0 + fd * r0, b = f0 + fd * r1; // signed distances of the segment's ends
                    if ((a > 1e-9 && b > 1e-9) || (a < -1e-9 && b < -1e-9)) continue;
                }
                beam_test(c, i, k->g->geom, k->g);
            }
    }
}

void ps_lidar_cast(ps_world *w, ps_sensor_slot *s, ps_pose m, float *dist, int32_t *hits)
{
    const ps_sensor_def *d = &s->def;
    size_t n = s->count;
    for (size_t i = 0; i < n; i++) {
        ps_vec3 dir = ps_quat_rotate(m.q, (ps_vec3){s->dirs[3 * i], s->dirs[3 * i + 1], s->dirs[3 * i + 2]});
        s->dirw[3 * i] = dir.x;
        s->dirw[3 * i + 1] = dir.y;
        s->dirw[3 * i + 2] = dir.z;
        dGeomRaySet(s->rays[i], m.p.x + dir.x * d->range_min, m.p.y + dir.y * d->range_min,
                    m.p.z + dir.z * d->range_min, dir.x, dir.y, dir.z);
        dist[i] = (float)d->range_max;
        hits[i] = 0;
    }
    cast_ctx c = {w, s, dist, hits, s->dirw};
    cull_cast(&c, m);
    // Degradation: dust or fog shorten each beam's reach and add false returns.
    if (d->attenuation > 0 || d->spurious > 0) {
        for (size_t i = 0; i < n; i++) {
            if (d->attenuation > 0) {
                double reach = d->range_max * (1 - d->attenuation * (0.75 + 0.5 * ps_rng_uniform(&w->sensor_rng)));
                if (dist[i] > reach) {
                    dist[i] = (float)d->range_max;
                    hits[i] = 0;
                }
            }
            if (d->spurious > 0 && ps_rng_uniform(&w->sensor_rng) < d->spurious) {
                dist[i] = (float)(d->range_min + (dist[i] - d->range_min) * ps_rng_uniform(&w->sensor_rng));
                hits[i] = 0;
            }
        }
    }
}
