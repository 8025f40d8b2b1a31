/// @file test_util.h
/// Small helpers shared by the C API tests: a capturing logger, world and
/// body builders, vector maths. All `static inline` so unused ones cost nothing.
#ifndef PILOTSIM_TESTS_TEST_UTIL_H
#define PILOTSIM_TESTS_TEST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pilotsim/pilotsim.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/// A logger that counts messages and keeps the last one. Messages are echoed
/// to stderr when the environment variable PS_TEST_VERBOSE is set.
typedef struct tu_log {
    int count[4];   ///< per ps_log_level
    char last[512]; ///< last message
} tu_log;

static inline void tu_log_fn(void *user, ps_log_level level, const char *msg)
{
    tu_log *l = (tu_log *)user;
    if ((int)level >= 0 && (int)level < 4) l->count[level]++;
    snprintf(l->last, sizeof l->last, "%s", msg ? msg : "(null)");
    if (getenv("PS_TEST_VERBOSE"))
        fprintf(stderr, "[log %s] %s\n", ps_log_level_name(level), msg ? msg : "(null)");
}

/// One process-wide capture log (tests are single-threaded).
static tu_log tu_the_log;

static inline ps_logger tu_logger(void)
{
    return (ps_logger){ tu_log_fn, &tu_the_log };
}

/// Default world def with the capturing logger installed.
static inline ps_world_def tu_world_def(void)
{
    ps_world_def d = ps_default_world_def();
    d.log = tu_logger();
    return d;
}

/// Creates a world from `d` (aborts the program if that fails: nothing else
/// could run). `what` names the caller for the message.
static inline ps_world *tu_world_from(const ps_world_def *d, const char *what)
{
    char err[PS_ERR_LEN] = "";
    ps_world *w = ps_world_create(d, err, sizeof err);
    if (!w) {
        fprintf(stderr, "%s: ps_world_create failed: %s\n", what, err);
        exit(2);
    }
    return w;
}

static inline ps_world *tu_world(void)
{
    ps_world_def d = tu_world_def();
    return tu_world_from(&d, "tu_world");
}

/// A world with gravity off.
static inline ps_world *tu_world_nograv(void)
{
    ps_world_def d = tu_world_def();
    d.gravity = (ps_vec3){ 0, 0, 0 };
    return tu_world_from(&d, "tu_world_nograv");
}

static inline ps_vec3 tu_v(double x, double y, double z) { return (ps_vec3){ x, y, z }; }
static inline ps_vec3 tu_add(ps_vec3 a, ps_vec3 b) { return tu_v(a.x + b.x, a.y + b.y, a.z + b.z); }
static inline ps_vec3 tu_sub(ps_vec3 a, ps_vec3 b) { return tu_v(a.x - b.x, a.y - b.y, a.z - b.z); }
static inline ps_vec3 tu_scale(ps_vec3 a, double s) { return tu_v(a.x * s, a.y * s, a.z * s); }
static inline double tu_dot(ps_vec3 a, ps_vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static inline double tu_norm(ps_vec3 a) { return sqrt(tu_dot(a, a)); }
static inline ps_vec3 tu_cross(ps_vec3 a, ps_vec3 b)
{
    return tu_v(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}

/// Quaternion for a rotation of `angle` rad about the unit axis (x, y, z).
static inline ps_quat tu_quat_axis(double x, double y, double z, double angle)
{
    double s = sin(angle / 2);
    return (ps_quat){ cos(angle / 2), x * s, y * s, z * s };
}

static inline ps_quat tu_quat_mul(ps_quat a, ps_quat b)
{
    return (ps_quat){ a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
                      a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                      a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
                      a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w };
}

static inline ps_quat tu_quat_conj(ps_quat q) { return (ps_quat){ q.w, -q.x, -q.y, -q.z }; }

/// Rotates v by the unit quaternion q.
static inline ps_vec3 tu_rotate(ps_quat q, ps_vec3 v)
{
    ps_quat p = { 0, v.x, v.y, v.z };
    ps_quat r = tu_quat_mul(tu_quat_mul(q, p), tu_quat_conj(q));
    return tu_v(r.x, r.y, r.z);
}

/// Rotation angle (rad, in [0, pi]) between two unit quaternions.
static inline double tu_quat_angle(ps_quat a, ps_quat b)
{
    double d = fabs(a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z);
    if (d > 1) d = 1;
    return 2 * acos(d);
}

static inline ps_pose tu_pose(double x, double y, double z)
{
    ps_pose p = ps_pose_identity();
    p.p = tu_v(x, y, z);
    return p;
}

/// Static ground plane z = 0 (world geometry). Returns the geom id.
static inline ps_geom_id tu_ground(ps_world *w)
{
    ps_geom_def g = ps_default_geom_def(PS_GEOM_PLANE);
    g.plane[0] = 0;
    g.plane[1] = 0;
    g.plane[2] = 1;
    g.plane[3] = 0;
    return ps_geom_create(w, PS_BODY_NONE, &g);
}

/// Dynamic body with one box geom (full extents sx, sy, sz; density kg/m^3) at pose.
static inline ps_body_id tu_box_body(ps_world *w, const char *name, ps_pose pose, double sx,
                                     double sy, double sz, double density)
{
    ps_body_def bd = ps_default_body_def();
    bd.name = name;
    bd.pose = pose;
    ps_body_id b = ps_body_create(w, &bd);
    if (!ps_body_is_set(b)) return b;
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(sx, sy, sz);
    g.density = density;
    ps_geom_id gid = ps_geom_create(w, b, &g);
    (void)gid;
    return b;
}

/// Dynamic body with one sphere geom at pose.
static inline ps_body_id tu_sphere_body(ps_world *w, const char *name, ps_pose pose, double r,
                                        double density)
{
    ps_body_def bd = ps_default_body_def();
    bd.name = name;
    bd.pose = pose;
    ps_body_id b = ps_body_create(w, &bd);
    if (!ps_body_is_set(b)) return b;
    ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = r;
    g.density = density;
    ps_geom_id gid = ps_geom_create(w, b, &g);
    (void)gid;
    return b;
}

/// Steps n times; returns the first non-OK status (and stops there) or PS_OK.
static inline ps_status tu_step(ps_world *w, int n)
{
    for (int i = 0; i < n; i++) {
        ps_status s = ps_world_step(w);
        if (s != PS_OK) return s;
    }
    return PS_OK;
}

/// Link position of b (NaNs when the call fails).
static inline ps_vec3 tu_pos(const ps_world *w, ps_body_id b)
{
    ps_pose p;
    if (ps_body_get_pose(w, b, &p) != PS_OK) return tu_v(NAN, NAN, NAN);
    return p.p;
}

static inline ps_quat tu_rot(const ps_world *w, ps_body_id b)
{
    ps_pose p;
    if (ps_body_get_pose(w, b, &p) != PS_OK) return (ps_quat){ NAN, NAN, NAN, NAN };
    return p.q;
}

static inline ps_vec3 tu_linvel(const ps_world *w, ps_body_id b)
{
    ps_vec3 v;
    if (ps_body_get_linvel(w, b, &v) != PS_OK) return tu_v(NAN, NAN, NAN);
    return v;
}

static inline ps_vec3 tu_angvel(const ps_world *w, ps_body_id b)
{
    ps_vec3 v;
    if (ps_body_get_angvel(w, b, &v) != PS_OK) return tu_v(NAN, NAN, NAN);
    return v;
}

static inline bool tu_same_body(ps_body_id a, ps_body_id b)
{
    return ps_body_id_eq(a, b);
}

static inline bool tu_geom_set(ps_geom_id g) { return g.gen != 0; }
static inline bool tu_joint_set(ps_joint_id j) { return j.gen != 0; }

#endif
