// Ray against box, sphere, capsule, cylinder and plane (see rayshape.h). Each
// solid shape gives the interval [lo, hi] of ray distances inside it; the hit
// is its entry lo, or its exit hi when the ray starts inside (lo < 0 <= hi).
#include "rayshape.h"

#include <math.h>

void ps_rayshape_set(ps_rayshape *s, dGeomID g)
{
    *s = (ps_rayshape){.kind = PS_RAYSHAPE_NONE};
    switch (dGeomGetClass(g)) {
    case dBoxClass: {
        dVector3 side;
        dGeomBoxGetLengths(g, side);
        for (int k = 0; k < 3; k++) s->h[k] = 0.5 * side[k];
        s->kind = PS_RAYSHAPE_BOX;
        break;
    }
    case dSphereClass:
        s->h[0] = dGeomSphereGetRadius(g);
        s->kind = PS_RAYSHAPE_SPHERE;
        break;
    case dCapsuleClass:
    case dCylinderClass: {
        dReal radius, length;
        if (dGeomGetClass(g) == dCapsuleClass) dGeomCapsuleGetParams(g, &radius, &length);
        else dGeomCylinderGetParams(g, &radius, &length);
        s->h[0] = radius;
        s->h[1] = 0.5 * length;
        s->kind = dGeomGetClass(g) == dCapsuleClass ? PS_RAYSHAPE_CAPSULE : PS_RAYSHAPE_CYLINDER;
        break;
    }
    case dPlaneClass: { // not placeable: its parameters only
        dVector4 pl;
        dGeomPlaneGetParams(g, pl);
        for (int k = 0; k < 3; k++) s->p[k] = pl[k];
        s->h[0] = pl[3];
        s->kind = PS_RAYSHAPE_PLANE;
        return;
    }
    default: return;
    }
    const dReal *pos = dGeomGetPosition(g), *rot = dGeomGetRotation(g); // rot: 3 rows of 4
    for (int i = 0; i < 3; i++) {
        s->p[i] = pos[i];
        for (int j = 0; j < 3; j++) s->r[3 * i + j] = rot[4 * i + j];
    }
}

// The ray in the shape's frame: start a = R^T (o - p), direction v = R^T d.
static inline void to_local(const ps_rayshape *s, const double o[3], const double d[3], double a[3], double v[3])
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
static inline bool first_crossing(double lo, double hi, double len, double *t)
{
    double x = lo >= 0 ? lo : hi;
    if (!(x >= 0 && x <= len)) return false; // also NaN
    *t = x;
    return true;
}

static bool cast_box(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    double a[3], v[3], lo = -INFINITY, hi = INFINITY;
    to_local(s, o, d, a, v);
    for (int k = 0; k < 3; k++) {
        double h = s->h[k];
        if (v[k] == 0) { // parallel to the faces across axis k: between them (touching counts) or never in
            if (a[k] < -h || a[k] > h) return false;
            continue;
        }
        double t0 = (-h - a[k]) / v[k], t1 = (h - a[k]) / v[k];
        if (t0 > t1) {
            double x = t0;
            t0 = t1;
            t1 = x;
        }
        lo = t0 > lo ? t0 : lo;
        hi = t1 < hi ? t1 : hi;
    }
    if (lo > hi) return false;
    return first_crossing(lo, hi, len, t);
}

// Where a ray (start q relative to the centre, unit direction u) is inside a
// ball of radius r: false when it misses (a tangent touches).
static inline bool ball_interval(const double q[3], const double u[3], double r, double *lo, double *hi)
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

static bool cast_sphere(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    const double q[3] = {o[0] - s->p[0], o[1] - s->p[1], o[2] - s->p[2]};
    double lo, hi;
    return ball_interval(q, d, s->h[0], &lo, &hi) && first_crossing(lo, hi, len, t);
}

// Where the ray (local start a, direction v) is within radius r of the local
// z axis: false when never (a tangent touches).
static inline bool radial_interval(const double a[3], const double v[3], double r, double *lo, double *hi)
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
static inline bool axial_interval(const double a[3], const double v[3], double hl, double *lo, double *hi)
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

static bool cast_cylinder(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    double a[3], v[3], zlo, zhi, rlo, rhi;
    to_local(s, o, d, a, v);
    if (!axial_interval(a, v, s->h[1], &zlo, &zhi) || !radial_interval(a, v, s->h[0], &rlo, &rhi)) return false;
    double lo = zlo > rlo ? zlo : rlo, hi = zhi < rhi ? zhi : rhi;
    if (lo > hi) return false;
    return first_crossing(lo, hi, len, t);
}

// A capsule is the union of its cylinder and the two end balls: the ray's
// inside is the union of theirs (one interval, the capsule being convex).
static bool cast_capsule(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    double a[3], v[3], lo = INFINITY, hi = -INFINITY, l, h, l2, h2;
    to_local(s, o, d, a, v);
    double r = s->h[0], hl = s->h[1];
    for (int e = -1; e <= 1; e += 2) {
        const double q[3] = {a[0], a[1], a[2] - e * hl};
        if (ball_interval(q, v, r, &l, &h)) {
            lo = l < lo ? l : lo;
            hi = h > hi ? h : hi;
        }
    }
    if (axial_interval(a, v, hl, &l, &h) && radial_interval(a, v, r, &l2, &h2)) {
        l = l2 > l ? l2 : l;
        h = h2 < h ? h2 : h;
        if (l <= h) {
            lo = l < lo ? l : lo;
            hi = h > hi ? h : hi;
        }
    }
    if (!(lo <= hi)) return false;
    return first_crossing(lo, hi, len, t);
}

static bool cast_plane(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    const double *n = s->p;
    double k = n[0] * d[0] + n[1] * d[1] + n[2] * d[2];
    if (k == 0) return false; // parallel
    double x = (s->h[0] - (n[0] * o[0] + n[1] * o[1] + n[2] * o[2])) / k;
    if (!(x >= 0 && x <= len)) return false;
    *t = x;
    return true;
}

bool ps_rayshape_cast(const ps_rayshape *s, const double o[3], const double d[3], double len, double *t)
{
    switch (s->kind) {
    case PS_RAYSHAPE_BOX: return cast_box(s, o, d, len, t);
    case PS_RAYSHAPE_SPHERE: return cast_sphere(s, o, d, len, t);
    case PS_RAYSHAPE_CAPSULE: return cast_capsule(s, o, d, len, t);
    case PS_RAYSHAPE_CYLINDER: return cast_cylinder(s, o, d, len, t);
    case PS_RAYSHAPE_PLANE: return cast_plane(s, o, d, len, t);
    default: return false;
    }
}
