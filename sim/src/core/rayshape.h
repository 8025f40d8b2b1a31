// Exact ray intersection with ODE's primitive shapes (rayshape.c), without
// ODE's ray geom: the lidar caster (raycast.c) copies a geom's pose and size
// once (when its grid or tree is built or refitted) and then tests beams
// against the copy, where dCollide would place a ray geom, dispatch on the
// classes and recompute the pose for every beam.
//
// A hit is what ODE's ray colliders report (dCollide with a ray geom of the
// same start, direction and length): the first point at distance t in
// [0, length] where the ray crosses the shape's surface, so a ray that starts
// inside a shape hits it where it leaves. Shapes are closed: a ray that
// touches a face, edge, rim or tangent, or meets the surface exactly at
// `length`, hits. One deliberate difference: ODE's capsule collider misses a
// ray that starts inside the capsule and leaves through a cap ball when the
// ray's exit from the capsule's infinite cylinder lies beyond `length` (it
// checks that exit against `length` before trying the cap); here such a ray
// hits where it leaves.
// Distances agree with ODE's to rounding (tests/test_rayshape.c: 1e-9 m).
#ifndef PS_RAYSHAPE_H
#define PS_RAYSHAPE_H

#include <ode/ode.h>
#include <stdbool.h>

typedef enum ps_rayshape_kind {
    PS_RAYSHAPE_NONE = 0, // a class without an own test (trimesh, heightfield, ...): use dCollide
    PS_RAYSHAPE_BOX,
    PS_RAYSHAPE_SPHERE,
    PS_RAYSHAPE_CAPSULE,
    PS_RAYSHAPE_CYLINDER,
    PS_RAYSHAPE_PLANE,
} ps_rayshape_kind;

/// A snapshot of one geom's shape in world coordinates.
typedef struct ps_rayshape {
    ps_rayshape_kind kind;
    double p[3];  // m, the centre; a plane: its unit normal
    double r[9];  // the rotation, row-major (column k = local axis k in world coordinates); unused for spheres and planes
    double h[3];  // m: a box's half sides; sphere, capsule, cylinder: radius, half length; a plane: offset in h[0]
} ps_rayshape;

/// Copies geom `g`'s current world pose and size into `*s` (reading them from
/// ODE, which brings a body's geom up to date). kind PS_RAYSHAPE_NONE for a
/// class without an own test. `g` must not be NULL.
void ps_rayshape_set(ps_rayshape *s, dGeomID g);

/// Intersects the ray from `o` along the unit vector `d` (both world
/// coordinates, m) over [0, `len`] m with shape `s` (kind not NONE): true and
/// `*t` (m from `o`) on a hit as defined above.
bool ps_rayshape_cast(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t);

#endif
