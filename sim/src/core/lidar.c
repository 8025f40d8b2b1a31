// Lidar and proximity sensors, cast through the world's ray-casting grid, scan
// tables and tree (raycast.c): one ODE ray geom per beam, in a space of the
// sensor's own (never in the world's space, so rays take part in no contact),
// used only for trimeshes and heightfields. Rays start at range_min; the
// sensor's own robot (its group and the bodies joined to the mount body) is skipped.
#include "raycast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TWO_PI 6.28318530717958647692
// Sensors with at least this many beams cast them through a scan table of the
// static geoms (ps_raycast_scan); fewer beams walk the grid.
enum { SCAN_BEAMS = 16 };

bool ps_lidar_init(ps_world *w, ps_sensor_slot *s)
{
    (void)w;
    const ps_sensor_def *d = &s->def;
    size_t n = s->count;
    s->rays = calloc(n, sizeof *s->rays);
    s->dirs = calloc(3 * n, sizeof *s->dirs);
    if (!s->rays || !s->dirs) return false;
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
    s->rays = NULL;
    s->dirs = NULL;
}

ps_status ps_lidar_trace(ps_world *w, ps_sensor_slot *s, ps_pose m, bool exhaustive, float *dist, int32_t *hits)
{
    const ps_sensor_def *d = &s->def;
    bool fast = !exhaustive && ps_raycast_prepare(w); // out of memory: every geom, still exact
    // many beams: the static geoms binned by direction once for the scan (raycast.h)
    bool scan = fast && s->count >= SCAN_BEAMS && ps_raycast_scan(w, m.p, d->range_max);
    ps_beam b = {.origin = m.p, .r0 = d->range_min, .r1 = d->range_max, .scan = scan};
    for (size_t i = 0; i < s->count; i++) {
        b.dir = ps_quat_rotate(m.q, (ps_vec3){s->dirs[3 * i], s->dirs[3 * i + 1], s->dirs[3 * i + 2]});
        b.ray = s->rays[i];
        float di = (float)d->range_max;
        int32_t hi = 0;
        ps_raycast_beam(w, s, &b, !fast, &di, &hi);
        dist[i] = di;
        if (hits) hits[i] = hi;
    }
    return PS_OK;
}

void ps_lidar_cast(ps_world *w, ps_sensor_slot *s, ps_pose m, float *dist, int32_t *hits)
{
    const ps_sensor_def *d = &s->def;
    size_t n = s->count;
    ps_lidar_trace(w, s, m, false, dist, hits);
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
