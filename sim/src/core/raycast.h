// Ray casting for lidar and proximity sensors (raycast.c): which geom a beam
// meets first, and how far away. A grid (or a lidar scan's table of it by
// direction) and a bounding volume hierarchy over ODE's bounding boxes of the
// world's geoms find the few geoms a beam can reach; an exact ray test then
// gives the distance (rayshape.h for boxes, spheres, capsules, cylinders and
// planes, ODE's ray collider dCollide for trimeshes and heightfields), so the
// readings are those of testing every beam against every geom, at a cost that
// follows the beams rather than the number of shapes.
//
// - a lidar scan (ps_raycast_scan) bins the static geoms within its range by
//   their direction from its origin once, and each beam tests only the geoms in
//   its own direction, nearest first; other beams walk the grid;
// - the static grid holds the geoms of the world and of static bodies (a
//   uniform x-y grid, grid2d.h, walked cell by cell); it is built at the first scan and
//   rebuilt after such a geom is added, removed or moved (w->static_version);
// - the moving tree holds the geoms of dynamic and kinematic bodies; its boxes
//   are refitted once per step in which a beam is cast (or after a pose was set
//   from outside the step: w->pose_epoch) and its shape rebuilt after a moving
//   geom is added or removed (w->moving_version) and every 64 refits;
// - planes and geoms with unbounded boxes are tested by every beam (a plane only
//   by the beams that cross it).
#ifndef PS_RAYCAST_H
#define PS_RAYCAST_H

#include "world_internal.h"

typedef struct ps_raycast ps_raycast;

/// One beam from `origin` along the unit `dir`, over [r0, r1] m from the origin.
/// `ray` is the sensor's ODE ray for this beam (length r1 - r0); it is placed
/// (dGeomRaySet at origin + r0 dir) only when a trimesh or heightfield needs
/// ODE's test. The sensor's own geoms (its skip group and skip bodies) are ignored.
typedef struct ps_beam {
    ps_vec3 origin, dir;
    double r0, r1;
    dGeomID ray;
    bool scan; // one of the beams of the last ps_raycast_scan (same origin, r1 within its range)
} ps_beam;

/// Casts one beam of sensor `s`: `*dist` (m, float as readings are) becomes the
/// nearest hit's distance from the origin, or stays as given (r1 on entry) when
/// nothing is nearer; `*hit` the hit body's index + 1, -1 for world geometry.
/// On an exact tie of two distances the geom nearer to the origin by bounding box
/// (then the lower geom slot) wins. `exhaustive` tests every geom (the reference
/// the grid and tree must match); otherwise ps_raycast_prepare must have succeeded in
/// this state.
void ps_raycast_beam(ps_world *w, const ps_sensor_slot *s, const ps_beam *b, bool exhaustive, float *dist,
                     int32_t *hit);

/// Brings the grid and tree up to date with the world (built or refitted as the
/// comment above says). false when out of memory: cast exhaustively then.
bool ps_raycast_prepare(ps_world *w);

/// Before casting many beams from `origin` over at most `r1` m (a lidar scan),
/// after ps_raycast_prepare: bins the static geoms within r1 by their direction
/// from the origin, so that each beam (ps_beam.scan) tests only the geoms in its
/// own direction instead of walking the grid. Allocates nothing. false when
/// there is no table (the beams walk the grid then); the table holds until the
/// next ps_raycast_prepare.
bool ps_raycast_scan(ps_world *w, ps_vec3 origin, double r1);

/// Frees the grid and tree (world destruction). Safe on a world without them.
void ps_raycast_free(ps_world *w);

#endif
