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

#include <math.h>
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

/* The tests, inline (the lidar calls them for most beams). Each solid shape
 * gives the interval [lo, hi] of ray distances inside it; the hit is its entry
 * lo, or its exit hi when the ray starts inside (lo < 0 <= hi). */

// The ray in the shape's frame: start a = R^T (o - p), direction v = R^T d.
static inline void rs_to_local(const ps_rayshape *s, const double o[3], const double d[3], double a[3], double v[3])
{
    const double q[3] = {o[0] - s->p[0], o[1] - s->p[1], o[2] - s->p[2]};
    const double *r = s->r;
    for (int k = 0; k < 3; k++) {
        a[k] = r[k] * q[0] + r[3 + k] * q[1] + r[6 + k] * q[2];
        v[k] = r[k] * d[0] + r[3 + k] * d[1] + r[6 + k] * d[2];
    }
}

// The first surface crossing at distance >= 0 of a ray inside the solid over
// [lo, hi], if within `len`.
static inline bool rs_first_crossing(double lo, double hi, double len, double *t)
{
    double x = lo >= 0 ? lo : hi;
    if (!(x >= 0 && x <= len)) return false; // also NaN
    *t = x;
    return true;
}

static inline bool rs_cast_box(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    double a[3], v[3], lo = -INFINITY, hi = INFINITY;
    rs_to_local(s, o, d, a, v);
    for (int k = 0; k < 3; k++) {
        double h = s->h[k];
        if (v[k] == 0) { // parallel to the faces across axis k: between them (touching counts) or never in
            if (a[k] < -h || a[k] > h) return false;
            continue;
        }
        double t0 = (-h - a[k]) / v[k], t1 = (h - a[k]) / v[k];
        double near = t0 < t1 ? t0 : t1, far = t0 < t1 ? t1 : t0; // the face met first, the one met last
        lo = near > lo ? near : lo;
        hi = far < hi ? far : hi;
    }
    if (lo > hi) return false;
    return rs_first_crossing(lo, hi, len, t);
}

// Where a ray (start q relative to the centre, unit direction u) is inside a
// ball of radius r: false when it misses (a tangent touches).
static inline bool rs_ball_interval(const double q[3], const double u[3], double r, double *lo, double *hi)
{
    double b = q[0] * u[0] + q[1] * u[1] + q[2] * u[2];
    double c = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] - r * r;
    double k = b * b - c;
    if (k < 0) return false;
    k = sqrt(k);
    *lo = -b - k;
    *hi = -b + k;
    return true;
}

static inline bool rs_cast_sphere(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    const double q[3] = {o[0] - s->p[0], o[1] - s->p[1], o[2] - s->p[2]};
    double lo, hi;
    return rs_ball_interval(q, d, s->h[0], &lo, &hi) && rs_first_crossing(lo, hi, len, t);
}

// Where the ray (local start a, direction v) is within radius r of the local
// z axis: false when never (a tangent touches).
static inline bool rs_radial_interval(const double a[3], const double v[3], double r, double *lo, double *hi)
{
    double A = v[0] * v[0] + v[1] * v[1], B = a[0] * v[0] + a[1] * v[1], C = a[0] * a[0] + a[1] * a[1] - r * r;
    if (A == 0) { // along the axis
        if (C > 0) return false;
        *lo = -INFINITY;
        *hi = INFINITY;
        return true;
    }
    double disc = B * B - A * C;
    if (disc < 0) return false;
    // roots of A t^2 + 2 B t + C, the smaller-magnitude one as C / q (no cancellation)
    double q = -(B + copysign(sqrt(disc), B));
    double r0 = q / A, r1 = q != 0 ? C / q : r0;
    *lo = r0 < r1 ? r0 : r1;
    *hi = r0 < r1 ? r1 : r0;
    return true;
}

// Where the ray (local start a, direction v) is between the planes z = +-hl
// (or in one): false when never.
static inline bool rs_axial_interval(const double a[3], const double v[3], double hl, double *lo, double *hi)
{
    if (v[2] == 0) {
        if (!(fabs(a[2]) <= hl)) return false;
        *lo = -INFINITY;
        *hi = INFINITY;
        return true;
    }
    double t0 = (-hl - a[2]) / v[2], t1 = (hl - a[2]) / v[2];
    *lo = t0 < t1 ? t0 : t1;
    *hi = t0 < t1 ? t1 : t0;
    return true;
}

static inline bool rs_cast_cylinder(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    double a[3], v[3], zlo, zhi, rlo, rhi;
    rs_to_local(s, o, d, a, v);
    if (!rs_axial_interval(a, v, s->h[1], &zlo, &zhi) || !rs_radial_interval(a, v, s->h[0], &rlo, &rhi)) return false;
    double lo = zlo > rlo ? zlo : rlo, hi = zhi < rhi ? zhi : rhi;
    if (lo > hi) return false;
    return rs_first_crossing(lo, hi, len, t);
}

// A capsule is the union of its cylinder and the two end balls: the ray's
// inside is the union of theirs (one interval, the capsule being convex).
static inline bool rs_cast_capsule(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    double a[3], v[3], lo = INFINITY, hi = -INFINITY, l, h, l2, h2;
    rs_to_local(s, o, d, a, v);
    double r = s->h[0], hl = s->h[1];
    for (int e = -1; e <= 1; e += 2) {
        const double q[3] = {a[0], a[1], a[2] - e * hl};
        if (rs_ball_interval(q, v, r, &l, &h)) {
            lo = l < lo ? l : lo;
            hi = h > hi ? h : hi;
        }
    }
    if (rs_axial_interval(a, v, hl, &l, &h) && rs_radial_interval(a, v, r, &l2, &h2)) {
        l = l2 > l ? l2 : l;
        h = h2 < h ? h2 : h;
        if (l <= h) {
            lo = l < lo ? l : lo;
            hi = h > hi ? h : hi;
        }
    }
    if (!(lo <= hi)) return false;
    return rs_first_crossing(lo, hi, len, t);
}

static inline bool rs_cast_plane(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    const double *n = s->p;
    double k = n[0] * d[0] + n[1] * d[1] + n[2] * d[2];
    if (k == 0) return false; // parallel
    double x = (s->h[0] - (n[0] * o[0] + n[1] * o[1] + n[2] * o[2])) / k;
    if (!(x >= 0 && x <= len)) return false;
    *t = x;
    return true;
}

/// Intersects the ray from `o` along the unit vector `d` (both world
/// coordinates, m) over [0, `len`] m with shape `s` (kind not NONE): true and
/// `*t` (m from `o`) on a hit as defined above.
static inline bool ps_rayshape_cast(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    switch (s->kind) {
    case PS_RAYSHAPE_BOX: return rs_cast_box(s, o, d, len, t);
    case PS_RAYSHAPE_SPHERE: return rs_cast_sphere(s, o, d, len, t);
    case PS_RAYSHAPE_CAPSULE: return rs_cast_capsule(s, o, d, len, t);
    case PS_RAYSHAPE_CYLINDER: return rs_cast_cylinder(s, o, d, len, t);
    case PS_RAYSHAPE_PLANE: return rs_cast_plane(s, o, d, len, t);
    default: return false;
    }
}

#endif
