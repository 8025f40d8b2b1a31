// Vector, quaternion and pose maths for the library's layers: one header of static
// inline functions, so hot loops (contacts, lidar, sensors, dynamics) pay no call into
// world.c. Quaternions are scalar-first unit quaternions (w, x, y, z).
#ifndef PS_MATH3D_H
#define PS_MATH3D_H

#include "pilotsim/types.h"

#include <math.h>

static inline ps_vec3 ps_v3(double x, double y, double z) { return (ps_vec3){x, y, z}; }
static inline ps_vec3 ps_v3_add(ps_vec3 a, ps_vec3 b) { return (ps_vec3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static inline ps_vec3 ps_v3_sub(ps_vec3 a, ps_vec3 b) { return (ps_vec3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static inline ps_vec3 ps_v3_scale(ps_vec3 a, double s) { return (ps_vec3){a.x * s, a.y * s, a.z * s}; }
static inline double ps_v3_dot(ps_vec3 a, ps_vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static inline ps_vec3 ps_v3_cross(ps_vec3 a, ps_vec3 b)
{
    return (ps_vec3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
static inline bool ps_vec3_finite(ps_vec3 v) { return isfinite(v.x) && isfinite(v.y) && isfinite(v.z); }

/// Normalizes q in place; false (q unchanged) when it is not finite or near zero.
static inline bool ps_quat_normalize(ps_quat *q)
{
    double n = sqrt(q->w * q->w + q->x * q->x + q->y * q->y + q->z * q->z);
    if (!isfinite(n) || n < 1e-9) return false;
    q->w /= n; q->x /= n; q->y /= n; q->z /= n;
    return true;
}

static inline ps_quat ps_quat_conj(ps_quat q) { return (ps_quat){q.w, -q.x, -q.y, -q.z}; }

/// v rotated by the unit quaternion q.
static inline ps_vec3 ps_quat_rotate(ps_quat q, ps_vec3 v)
{
    // v' = v + 2w (u x v) + 2 u x (u x v), u = (x, y, z)
    ps_vec3 u = {q.x, q.y, q.z};
    ps_vec3 t = {2 * (u.y * v.z - u.z * v.y), 2 * (u.z * v.x - u.x * v.z), 2 * (u.x * v.y - u.y * v.x)};
    return (ps_vec3){
        v.x + q.w * t.x + (u.y * t.z - u.z * t.y),
        v.y + q.w * t.y + (u.z * t.x - u.x * t.z),
        v.z + q.w * t.z + (u.x * t.y - u.y * t.x),
    };
}

/// The product a * b: rotation b, then a.
static inline ps_quat ps_quat_mul(ps_quat a, ps_quat b)
{
    return (ps_quat){
        a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
        a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
        a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
        a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
    };
}

/// The pose b expressed in a's parent frame (a * b).
static inline ps_pose ps_pose_mul(ps_pose a, ps_pose b)
{
    ps_vec3 r = ps_quat_rotate(a.q, b.p);
    return (ps_pose){{a.p.x + r.x, a.p.y + r.y, a.p.z + r.z}, ps_quat_mul(a.q, b.q)};
}

#endif
