// Tests of the sensors (sensor.h): IMU, lidar (2D and 3D, against a room
// whose distances are computed here with an independent ray caster), the
// noise pipeline (gaussian, bias, quantization, dropout, latency, rate),
// force-torque, contact, odometry, camera definitions with a render
// callback, determinism per world seed, and invalid defs.
// Every tolerance is stated beside its check with the reason for it.
#include "harness.h"
#include "test_util.h"
#include "pilotsim/robot.h"
#include "pilotsim/sensor.h"

#include <stdint.h>

#define G 9.81
#define DT 0.002 // the default timestep, s
#define DEG (M_PI / 180)

/* ----------------------------------------------------------------- helpers */

// Creates a sensor; notes the library's message when it is refused.
static ps_sensor_id make_sensor(ps_world *w, const ps_sensor_def *d, int line)
{
    ps_sensor_id s = ps_sensor_create(w, d);
    if (!ps_t_check(s.gen != 0, "sensor created", __FILE__, line))
        NOTE("ps_sensor_create('%s') refused: %s", d->name ? d->name : "(null)", ps_world_last_error(w));
    else {
        // The definition reads back as created.
        ps_sensor_def back;
        ps_t_check(ps_sensor_get_def(w, s, &back) == PS_OK && back.type == d->type && back.h_beams == d->h_beams &&
                       back.range_max == d->range_max && strcmp(back.name, d->name) == 0,
                   "ps_sensor_get_def reads the definition back", __FILE__, line);
    }
    return s;
}
#define MAKE(w, d) make_sensor((w), (d), __LINE__)

// Reading `i` of a sensor (NaN when there is none).
static double rd(const ps_world *w, ps_sensor_id s, size_t i)
{
    size_t n = 0;
    const float *v = ps_sensor_data(w, s, &n);
    return v && i < n ? (double)v[i] : NAN;
}

static int32_t hit(const ps_world *w, ps_sensor_id s, size_t i)
{
    size_t n = 0;
    const int32_t *h = ps_sensor_hits(w, s, &n);
    return h && i < n ? h[i] : INT32_MIN;
}

static ps_geom_id static_box(ps_world *w, double cx, double cy, double cz, double sx, double sy, double sz)
{
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.pose = tu_pose(cx, cy, cz);
    g.size = tu_v(sx, sy, sz);
    return ps_geom_create(w, PS_BODY_NONE, &g);
}

// A body with one box geom in collision group `group` (0 = none).
static ps_body_id box_body(ps_world *w, const char *name, ps_body_kind kind, ps_vec3 c, ps_vec3 size, uint32_t group)
{
    ps_body_def bd = ps_default_body_def();
    bd.name = name;
    bd.kind = kind;
    bd.pose = tu_pose(c.x, c.y, c.z);
    ps_body_id b = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = size;
    g.density = 500;
    g.group = group;
    ps_geom_create(w, b, &g);
    return b;
}

/* ------------------------------------------------ analytic ray caster (room) */

// The room of test_lidar_*: axis-aligned boxes and the floor plane z = 0.
typedef struct aabb {
    double lo[3], hi[3];
    int32_t id; // expected hits[] value: -1 static, body index + 1
} aabb;

#define MAX_BOXES 8
typedef struct room {
    aabb box[MAX_BOXES];
    int n;
    ps_vec3 sensor;   // world position of the lidar
} room;

static void room_add(room *r, ps_world *w, ps_vec3 c, ps_vec3 size, ps_body_id body)
{
    aabb *b = &r->box[r->n++];
    b->lo[0] = c.x - size.x / 2, b->lo[1] = c.y - size.y / 2, b->lo[2] = c.z - size.z / 2;
    b->hi[0] = c.x + size.x / 2, b->hi[1] = c.y + size.y / 2, b->hi[2] = c.z + size.z / 2;
    b->id = ps_body_is_set(body) ? (int32_t)body.index + 1 : -1;
    if (!ps_body_is_set(body)) static_box(w, c.x, c.y, c.z, size.x, size.y, size.z);
}

// First hit of the ray o + t d, t in [tmin, tmax] (slab method), with the
// id of what it hits; tmax and 0 when nothing is hit.
static double cast(const room *r, ps_vec3 o, ps_vec3 d, double tmin, double tmax, int32_t *id)
{
    double best = tmax;
    *id = 0;
    if (d.z < 0) { // floor plane z = 0
        double t = -o.z / d.z;
        if (t >= tmin && t < best) best = t, *id = -1;
    }
    double od[3] = {o.x, o.y, o.z}, dd[3] = {d.x, d.y, d.z};
    for (int k = 0; k < r->n; k++) {
        double t0 = tmin, t1 = tmax;
        bool miss = false;
        for (int a = 0; a < 3 && !miss; a++) {
            if (fabs(dd[a]) < 1e-300) {
                miss = od[a] < r->box[k].lo[a] || od[a] > r->box[k].hi[a];
                continue;
            }
            double ta = (r->box[k].lo[a] - od[a]) / dd[a], tb = (r->box[k].hi[a] - od[a]) / dd[a];
            if (ta > tb) { double x = ta; ta = tb; tb = x; }
            if (ta > t0) t0 = ta;
            if (tb < t1) t1 = tb;
            miss = t0 > t1;
        }
        if (!miss && t0 < best) best = t0, *id = r->box[k].id;
    }
    return best;
}

// Beam direction in the sensor frame, as sensor.h defines the layout: h_beams
// over h_fov centred on +x counter-clockwise (a full circle starts at -pi, so
// beam h_beams/2 looks along +x; a partial fov spans -fov/2..+fov/2 with both
// ends included), v_beams from v_min to v_max (one beam: their midpoint).
static ps_vec3 beam_dir(const ps_sensor_def *d, int v, int h)
{
    bool full = d->h_fov >= 2 * M_PI - 1e-9;
    double az = d->h_beams == 1 ? 0 : full ? -M_PI + 2 * M_PI * h / d->h_beams : -d->h_fov / 2 + d->h_fov * h / (d->h_beams - 1);
    double el = d->v_beams == 1 ? 0.5 * (d->v_min + d->v_max) : d->v_min + (d->v_max - d->v_min) * v / (d->v_beams - 1);
    return tu_v(cos(el) * cos(az), cos(el) * sin(az), sin(el));
}

// The room: inner faces at x = -2, x = +2, y = +3 (walls 2 m high, 0.1 m
// thick), open towards -y, floor plane z = 0. A robot (chassis + mast,
// one collision group) in the middle, a free target box at (0, 1.5, 0.6).
// Gravity off, so nothing moves. The lidar sits 0.2 m above the chassis
// centre, at (0, 0, 0.6), inside nothing but the robot's own geoms' reach.
typedef struct lidar_world {
    ps_world *w;
    room r;
    ps_body_id chassis, mast, target;
} lidar_world;

#define ROBOT_GROUP 5u

static lidar_world make_room(uint64_t seed)
{
    lidar_world L = {0};
    ps_world_def wd = tu_world_def();
    wd.gravity = tu_v(0, 0, 0);
    wd.seed = seed;
    L.w = tu_world_from(&wd, "room");
    tu_ground(L.w);
    room *r = &L.r;
    room_add(r, L.w, tu_v(2.05, 0, 1), tu_v(0.1, 6.2, 2), PS_BODY_NONE);  // x = +2 face
    room_add(r, L.w, tu_v(-2.05, 0, 1), tu_v(0.1, 6.2, 2), PS_BODY_NONE); // x = -2 face
    room_add(r, L.w, tu_v(0, 3.05, 1), tu_v(4.0, 0.1, 2), PS_BODY_NONE);  // y = +3 face
    L.chassis = box_body(L.w, "chassis", PS_BODY_DYNAMIC, tu_v(0, 0, 0.4), tu_v(0.4, 0.4, 0.2), ROBOT_GROUP);
    // The mast stands in the +x beams' way; it is the robot's own (same group).
    L.mast = box_body(L.w, "mast", PS_BODY_DYNAMIC, tu_v(0.6, 0, 0.6), tu_v(0.1, 0.1, 0.6), ROBOT_GROUP);
    L.target = box_body(L.w, "target", PS_BODY_DYNAMIC, tu_v(0, 1.5, 0.6), tu_v(0.2, 0.2, 0.2), 0);
    room_add(r, L.w, tu_v(0, 1.5, 0.6), tu_v(0.2, 0.2, 0.2), L.target);
    r->sensor = tu_v(0, 0, 0.6);
    return L;
}

static ps_sensor_def lidar_def(const char *name, ps_body_id body)
{
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_LIDAR);
    d.name = name;
    d.body = body;
    d.pose = tu_pose(0, 0, 0.2); // 0.2 m above the chassis centre
    d.range_max = 30;
    return d;
}

// Compares every beam of sensor `s` (def `d`) with the analytic caster.
// Tolerance 1e-5 m: readings are floats (ulp 2.4e-7 at 2..4 m, 1.9e-6 at
// 30 m) of distances ODE computes in double. Returns the worst error.
static double compare_all_beams(const lidar_world *L, ps_sensor_id s, const ps_sensor_def *d, int *bad_hits)
{
    double worst = 0;
    *bad_hits = 0;
    for (int v = 0; v < d->v_beams; v++)
        for (int h = 0; h < d->h_beams; h++) {
            size_t i = (size_t)v * (size_t)d->h_beams + (size_t)h;
            int32_t id;
            ps_vec3 dir = beam_dir(d, v, h);
            double want = cast(&L->r, L->r.sensor, dir, d->range_min, d->range_max, &id);
            double got = rd(L->w, s, i);
            double e = fabs(got - want);
            if (!(e <= worst)) worst = isnan(e) ? INFINITY : e;
            if (!(e <= 1e-5) && *bad_hits < 5)
                NOTE("beam v%d h%d: got %.7f (hit %d), want %.7f (hit %d)", v, h, got, hit(L->w, s, i), want, id);
            if (hit(L->w, s, i) != id) {
                if (*bad_hits < 5) NOTE("beam v%d h%d hits %d, want %d (d %.4f)", v, h, hit(L->w, s, i), id, want);
                ++*bad_hits;
            }
        }
    return worst;
}

/* ------------------------------------------------------------------- IMU */

static ps_sensor_def imu_def(const char *name, ps_body_id b)
{
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_IMU);
    d.name = name;
    d.body = b;
    return d;
}

// The box of test_imu_rest, resting on the ground, with a level IMU on its
// lid and a tilted one; `iterations` is the QuickStep iteration count.
typedef struct imu_rest {
    ps_world *w;
    ps_body_id box;
    ps_sensor_id level, tilted;
    ps_quat qt;
} imu_rest;

static imu_rest make_imu_rest(int iterations)
{
    imu_rest r;
    ps_world_def wd = tu_world_def();
    wd.iterations = iterations;
    r.w = tu_world_from(&wd, "imu_rest");
    tu_ground(r.w);
    r.box = tu_box_body(r.w, "box", tu_pose(0.3, -0.2, 0.1), 0.4, 0.4, 0.2, 500);
    ps_sensor_def d = imu_def("imu", r.box);
    d.pose = tu_pose(0.1, 0.05, 0.1); // on the lid, level
    r.level = MAKE(r.w, &d);
    // Tilted mount: 40 deg about the unit axis (1, 1, 0)/sqrt2.
    r.qt = tu_quat_axis(1 / sqrt(2), 1 / sqrt(2), 0, 40 * DEG);
    ps_sensor_def dt = imu_def("imu_tilted", r.box);
    dt.pose.q = r.qt;
    r.tilted = MAKE(r.w, &dt);
    return r;
}

static void test_imu_rest(void)
{
    // Gravity's reaction as the tilted mount sees it: R^T (0, 0, g) =
    // (g sin40/sqrt2, -g sin40/sqrt2, g cos40).
    imu_rest r = make_imu_rest(20);
    ps_vec3 g_tilted = tu_rotate(tu_quat_conj(r.qt), tu_v(0, 0, G));
    CHECK_NEAR(g_tilted.z, G * cos(40 * DEG), 1e-12); // (the expectation itself)
    int shape[3] = {0};
    CHECK_EQ(ps_sensor_shape(r.w, r.level, shape), 1);
    CHECK_EQ(shape[0], 10);
    // 3 s: the box sinks into the contact surface layer (1 mm) at 0.4 mm/s,
    // then rests (vertical speed below 1e-5 m/s).
    CHECK_EQ(tu_step(r.w, 1500), PS_OK);
    CHECK_NEAR(tu_linvel(r.w, r.box).z, 0, 1e-5);
    // Over the next 50 samples: the mean specific force is (0, 0, +9.81)
    // within 1e-3 m/s^2 and the angular velocity 0 within 1e-3 rad/s, on both
    // mounts. Single samples are within 1e-2 m/s^2 only: the IMU
    // differentiates the velocity over one step (dt = 2 ms), and QuickStep
    // with the default 20 iterations leaves a velocity jitter of ~3e-6 m/s on a
    // resting box (measured), i.e. +-7e-3 m/s^2 per sample. (The mean over k
    // samples telescopes to (v_k - v_0) / (k dt).)
    ps_vec3 mf = {0, 0, 0}, mt = {0, 0, 0};
    double worst_f = 0, worst_w = 0, worst_t = 0;
    for (int k = 0; k < 50; k++) {
        tu_step(r.w, 1);
        ps_vec3 f = tu_v(rd(r.w, r.level, 0), rd(r.w, r.level, 1), rd(r.w, r.level, 2));
        ps_vec3 om = tu_v(rd(r.w, r.level, 3), rd(r.w, r.level, 4), rd(r.w, r.level, 5));
        ps_vec3 ft = tu_v(rd(r.w, r.tilted, 0), rd(r.w, r.tilted, 1), rd(r.w, r.tilted, 2));
        mf = tu_add(mf, tu_scale(f, 1.0 / 50));
        mt = tu_add(mt, tu_scale(ft, 1.0 / 50));
        worst_f = fmax(worst_f, tu_norm(tu_sub(f, tu_v(0, 0, G))));
        worst_t = fmax(worst_t, tu_norm(tu_sub(ft, g_tilted)));
        worst_w = fmax(worst_w, fmax(tu_norm(om), tu_norm(tu_v(rd(r.w, r.tilted, 3), rd(r.w, r.tilted, 4), rd(r.w, r.tilted, 5)))));
    }
    CHECK_NEAR(tu_norm(tu_sub(mf, tu_v(0, 0, G))), 0, 1e-3);
    CHECK_NEAR(tu_norm(tu_sub(mt, g_tilted)), 0, 1e-3);
    CHECK_NEAR(worst_f, 0, 1e-2);
    CHECK_NEAR(worst_t, 0, 1e-2);
    CHECK_NEAR(worst_w, 0, 1e-3);
    // Orientation channels: the mount's world orientation (1e-3 rad: acos of
    // a dot product of float-rounded quaternions).
    ps_quat qm = tu_quat_mul(tu_rot(r.w, r.box), r.qt);
    ps_quat qr = {rd(r.w, r.tilted, 6), rd(r.w, r.tilted, 7), rd(r.w, r.tilted, 8), rd(r.w, r.tilted, 9)};
    CHECK_NEAR(tu_quat_angle(qm, qr), 0, 1e-3);
    ps_world_destroy(r.w);

    // With a converged solver (100 iterations: jitter ~1e-7 m/s) every single
    // sample is within 1e-3 m/s^2 of the exact value, level and tilted.
    r = make_imu_rest(100);
    tu_step(r.w, 1500);
    worst_f = worst_t = 0;
    for (int k = 0; k < 50; k++) {
        tu_step(r.w, 1);
        ps_vec3 f = tu_v(rd(r.w, r.level, 0), rd(r.w, r.level, 1), rd(r.w, r.level, 2));
        ps_vec3 ft = tu_v(rd(r.w, r.tilted, 0), rd(r.w, r.tilted, 1), rd(r.w, r.tilted, 2));
        worst_f = fmax(worst_f, tu_norm(tu_sub(f, tu_v(0, 0, G))));
        worst_t = fmax(worst_t, tu_norm(tu_sub(ft, g_tilted)));
    }
    CHECK_NEAR(worst_f, 0, 1e-3);
    CHECK_NEAR(worst_t, 0, 1e-3);
    ps_world_destroy(r.w);
}

static void test_imu_free_fall(void)
{
    ps_world *w = tu_world();
    ps_body_id ball = tu_sphere_body(w, "ball", tu_pose(0, 0, 50), 0.1, 1000);
    ps_sensor_def d = imu_def("imu", ball);
    d.pose.q = tu_quat_axis(0, 1, 0, 0.7);
    ps_sensor_id imu = MAKE(w, &d);
    tu_step(w, 2); // the first sample has no previous velocity
    double worst = 0;
    for (int k = 0; k < 100; k++) {
        tu_step(w, 1);
        worst = fmax(worst, tu_norm(tu_v(rd(w, imu, 0), rd(w, imu, 1), rd(w, imu, 2))));
    }
    // In free fall the specific force is zero: within 1e-3 m/s^2 (the
    // velocity changes by exactly g dt per step; only rounding remains).
    CHECK_NEAR(worst, 0, 1e-3);
    ps_world_destroy(w);

    // Spinning at 3 rad/s about z in zero gravity, the mount 0.5 m off the
    // axis: angular velocity (0, 0, 3) and the centripetal acceleration
    // -w^2 r = -4.5 m/s^2 towards the axis, in the mount's frame. Tolerances:
    // 1e-4 rad/s (float) for w; 0.02 m/s^2 for the acceleration, which the
    // IMU takes as a one-step velocity difference: the chord of the velocity
    // circle is turned by w dt / 2 = 3 mrad, i.e. 0.0135 m/s^2 sideways.
    w = tu_world_nograv();
    ps_body_def bd = ps_default_body_def();
    bd.name = "spinner";
    bd.pose = tu_pose(0, 0, 1);
    bd.angvel = tu_v(0, 0, 3);
    ps_body_id sp = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.2, 0.2, 0.2);
    ps_geom_create(w, sp, &g);
    d = imu_def("imu", sp);
    d.pose = tu_pose(0.5, 0, 0);
    imu = MAKE(w, &d);
    tu_step(w, 100);
    CHECK_NEAR(rd(w, imu, 3), 0, 1e-4);
    CHECK_NEAR(rd(w, imu, 4), 0, 1e-4);
    CHECK_NEAR(rd(w, imu, 5), 3, 1e-4);
    CHECK_NEAR(rd(w, imu, 0), -4.5, 0.02);
    CHECK_NEAR(rd(w, imu, 1), 0, 0.02);
    CHECK_NEAR(rd(w, imu, 2), 0, 0.02);
    ps_world_destroy(w);
}

/* ----------------------------------------------------------------- lidar */

static void test_lidar_2d(void)
{
    lidar_world L = make_room(0);
    ps_sensor_def d = lidar_def("lidar", L.chassis);
    ps_sensor_id s = MAKE(L.w, &d);
    int shape[3] = {0};
    CHECK_EQ(ps_sensor_shape(L.w, s, shape), 1);
    CHECK_EQ(shape[0], 360);
    size_t n = 0;
    CHECK(ps_sensor_data(L.w, s, &n) != NULL);
    CHECK_EQ(n, 360);
    CHECK_EQ(tu_step(L.w, 1), PS_OK);
    CHECK_NEAR(ps_sensor_stamp(L.w, s), DT, 1e-15);
    // Known beams (1 deg apart, beam 180 = +x). Tolerance 1e-5 m (float).
    // +x (h 180): the mast (own robot, 0.55 m away) is not seen; the wall at x = 2 is.
    CHECK_NEAR(rd(L.w, s, 180), 2.0, 1e-5);
    CHECK_EQ(hit(L.w, s, 180), -1);
    // -x (h 0): wall at 2 m.
    CHECK_NEAR(rd(L.w, s, 0), 2.0, 1e-5);
    CHECK_EQ(hit(L.w, s, 0), -1);
    // +45 deg (h 225): x = 2 wall at 2 / cos 45.
    CHECK_NEAR(rd(L.w, s, 225), 2 / cos(45 * DEG), 1e-5);
    // +y (h 270): the target's near face at y = 1.4, named by body index + 1.
    CHECK_NEAR(rd(L.w, s, 270), 1.4, 1e-5);
    CHECK_EQ(hit(L.w, s, 270), (int32_t)L.target.index + 1);
    // +70 deg (h 250): misses the target, hits the y = 3 wall at 3 / sin 70.
    CHECK_NEAR(rd(L.w, s, 250), 3 / sin(70 * DEG), 1e-5);
    CHECK_EQ(hit(L.w, s, 250), -1);
    // -y (h 90): through the opening, nothing: range_max, hit 0.
    CHECK_EQ(rd(L.w, s, 90), 30.0);
    CHECK_EQ(hit(L.w, s, 90), 0);
    // Every beam against the analytic room (1e-5 m), and every hit id exact.
    int bad = 0;
    CHECK_NEAR(compare_all_beams(&L, s, &d, &bad), 0, 1e-5);
    CHECK_EQ(bad, 0);
    // No beam sees the robot's own chassis or mast.
    for (int i = 0; i < 360; i++)
        if (hit(L.w, s, (size_t)i) == (int32_t)L.mast.index + 1 || hit(L.w, s, (size_t)i) == (int32_t)L.chassis.index + 1) {
            CHECK(!"a beam hit the robot's own geoms");
            break;
        }

    // A partial fov: 91 beams over 90 deg (1 deg apart, ends included),
    // beam 45 along +x; a range_max of 2.5 m cuts the diagonal beams.
    ps_sensor_def dp = lidar_def("front", L.chassis);
    dp.h_beams = 91;
    dp.h_fov = 90 * DEG;
    dp.range_max = 2.5;
    ps_sensor_id front = MAKE(L.w, &dp);
    tu_step(L.w, 1);
    CHECK_NEAR(rd(L.w, front, 45), 2.0, 1e-5);
    CHECK_NEAR(rd(L.w, front, 0), 2.5, 1e-5); // -45 deg: the wall is 2.83 m away, beyond range_max
    CHECK_EQ(hit(L.w, front, 0), 0);
    CHECK_NEAR(rd(L.w, front, 45 + 30), 2 / cos(30 * DEG), 1e-5);
    CHECK_NEAR(compare_all_beams(&L, front, &dp, &bad), 0, 1e-5);
    CHECK_EQ(bad, 0);
    ps_world_destroy(L.w);
}

static void test_lidar_3d(void)
{
    lidar_world L = make_room(0);
    ps_sensor_def d = lidar_def("lidar3d", L.chassis);
    d.v_beams = 5;
    d.v_min = -30 * DEG;
    d.v_max = 30 * DEG; // rows at -30, -15, 0, +15, +30 deg
    ps_sensor_id s = MAKE(L.w, &d);
    int shape[3] = {0};
    CHECK_EQ(ps_sensor_shape(L.w, s, shape), 2);
    CHECK_EQ(shape[0], 5);
    CHECK_EQ(shape[1], 360);
    CHECK_EQ(tu_step(L.w, 1), PS_OK);
    const double h = 0.6; // sensor height above the floor
    // Row 0 (-30 deg) along +x: the floor at h / sin 30 = 1.2 m (the beam
    // passes through the robot's own chassis and under the mast first).
    CHECK_NEAR(rd(L.w, s, 0 * 360 + 180), h / sin(30 * DEG), 1e-5);
    CHECK_EQ(hit(L.w, s, 0 * 360 + 180), -1);
    // Row 1 (-15 deg) along -y (the opening): the floor at h / sin 15.
    CHECK_NEAR(rd(L.w, s, 1 * 360 + 90), h / sin(15 * DEG), 1e-5);
    // Row 1 along +x: the wall at 2 / cos 15 (the floor would be 2.32 m away).
    CHECK_NEAR(rd(L.w, s, 1 * 360 + 180), 2 / cos(15 * DEG), 1e-5);
    // Row 2 is the planar scan: the target at 1.4 m.
    CHECK_NEAR(rd(L.w, s, 2 * 360 + 270), 1.4, 1e-5);
    CHECK_EQ(hit(L.w, s, 2 * 360 + 270), (int32_t)L.target.index + 1);
    // Row 4 (+30 deg) along +x: the wall at 2 / cos 30 (height there 1.75 m < 2 m).
    CHECK_NEAR(rd(L.w, s, 4 * 360 + 180), 2 / cos(30 * DEG), 1e-5);
    // Row 4 along -y: nothing (open side, no ceiling).
    CHECK_EQ(rd(L.w, s, 4 * 360 + 90), 30.0);
    CHECK_EQ(hit(L.w, s, 4 * 360 + 90), 0);
    int bad = 0;
    CHECK_NEAR(compare_all_beams(&L, s, &d, &bad), 0, 1e-5);
    CHECK_EQ(bad, 0);
    ps_world_destroy(L.w);
}

// A robot assembled with ps_robot_create (no common collision group): its
// other links are the robot's own too and must not be seen (sensor.c says
// "A lidar or proximity sensor ignores the geoms of its own robot").
static void test_lidar_assembled_robot(void)
{
    ps_world *w = tu_world_nograv();
    static_box(w, 3.05, 0, 1, 0.1, 4, 2); // a wall with its face at x = 3
    ps_body_id base = box_body(w, "base", PS_BODY_DYNAMIC, tu_v(0, 0, 0.5), tu_v(0.4, 0.4, 0.2), 0);
    ps_body_id arm = box_body(w, "arm", PS_BODY_DYNAMIC, tu_v(0.8, 0, 0.6), tu_v(0.1, 0.1, 0.4), 0);
    ps_joint_def jd = ps_default_joint_def(PS_JOINT_HINGE);
    jd.body1 = arm;
    jd.body2 = base;
    jd.anchor = tu_v(0.4, 0, 0.5);
    jd.axis = tu_v(0, 1, 0);
    ps_joint_id j = ps_joint_create(w, &jd);
    ps_robot_joint_def rj = {.name = "shoulder", .joint = j, .actuator = ps_default_actuator_def(), .mimic = -1};
    ps_body_id links[2] = {base, arm};
    ps_robot_def rd_ = {.name = "bot", .links = links, .link_count = 2, .joints = &rj, .joint_count = 1};
    CHECK(ps_robot_valid(w, ps_robot_create(w, &rd_)));
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_PROXIMITY);
    d.name = "front_range";
    d.body = base;
    d.pose = tu_pose(0, 0, 0.1); // at z = 0.6, looking along +x through the arm
    d.range_max = 10;
    ps_sensor_id s = MAKE(w, &d);
    tu_step(w, 1);
    // The arm (another link of the same robot) is skipped: the wall at 3 m (1e-5, float).
    CHECK_NEAR(rd(w, s, 0), 3.0, 1e-5);
    CHECK_EQ(hit(w, s, 0), -1);
    ps_world_destroy(w);
}

/* ----------------------------------------------------------------- noise */

// A noisy 2D lidar and a perfect twin on the same mount in the room; the
// noise of each beam is the difference of the two.
typedef struct noise_stats {
    double mean, sd;
    long n, nan_count, total;
    bool quantized;
    long nohit_below_max; // beams that hit nothing but read < range_max
} noise_stats;

static noise_stats run_noise(ps_noise_def noise, int samples, uint64_t seed)
{
    lidar_world L = make_room(seed);
    ps_sensor_def dc = lidar_def("clean", L.chassis), dn = lidar_def("noisy", L.chassis);
    dn.noise = noise;
    ps_sensor_id clean = MAKE(L.w, &dc), noisy = MAKE(L.w, &dn);
    noise_stats st = {0};
    st.quantized = true;
    double sum = 0, sum2 = 0;
    for (int k = 0; k < samples; k++) {
        tu_step(L.w, 1);
        for (size_t i = 0; i < 360; i++) {
            double c = rd(L.w, clean, i), x = rd(L.w, noisy, i);
            st.total++;
            if (isnan(x)) {
                st.nan_count++;
                continue;
            }
            if (hit(L.w, clean, i) == 0) { // nothing there (the open side)
                if (x < dc.range_max) st.nohit_below_max++;
                continue;
            }
            if (noise.quantum > 0) {
                double q = noise.quantum, m = q * floor(x / q + 0.5);
                if (fabs(x - m) > 1e-6 * fabs(x) + 1e-7) st.quantized = false; // float of a multiple of q
            }
            sum += x - c;
            sum2 += (x - c) * (x - c);
            st.n++;
        }
    }
    st.mean = sum / (double)st.n;
    st.sd = sqrt((sum2 - sum * sum / (double)st.n) / (double)(st.n - 1));
    ps_world_destroy(L.w);
    return st;
}

static void test_noise_gaussian(void)
{
    // stddev 0.05 m: 200 samples x ~220 beams that hit something (~44000
    // values). Mean within 3 standard errors (3 * 0.05 / sqrt(n) ~ 7e-4 m),
    // sample stddev within 5% of 0.05 (its own standard error is 0.34%).
    ps_noise_def nz = {.stddev = 0.05};
    noise_stats st = run_noise(nz, 200, 1);
    CHECK(st.n > 40000);
    CHECK_NEAR(st.mean, 0, 3 * 0.05 / sqrt((double)st.n));
    CHECK_REL(st.sd, 0.05, 0.05);
    CHECK_EQ(st.nan_count, 0);
    // Beams that hit nothing stay "nothing": range_max (sensor.h: "range_max+
    // when nothing is hit"), noise or not. Counted over all such beams.
    CHECK_EQ(st.nohit_below_max, 0);

    // bias 0.1 m shifts the mean by 0.1 (3 standard errors), the spread stays
    // 0.05 (5%). (A 3-SE bound fails for 0.27% of seeds: over world seeds
    // 1..12 the mean's z-score ranged -3.04 (seed 2) .. +0.71, mean -0.4;
    // the generator itself gives |z| < 2.5 on 1e6 draws for seeds 1..20.)
    ps_noise_def nb = {.stddev = 0.05, .bias = 0.1};
    st = run_noise(nb, 200, 3);
    CHECK_NEAR(st.mean, 0.1, 3 * 0.05 / sqrt((double)st.n));
    CHECK_REL(st.sd, 0.05, 0.05);

    // Quantization to 0.02 m alone: every reading is a multiple of 0.02 (to
    // float precision, 1e-6 relative) and the mean error at most q/2 (1e-6).
    ps_noise_def nq = {.quantum = 0.02};
    st = run_noise(nq, 5, 3);
    CHECK(st.quantized);
    CHECK(fabs(st.mean) <= 0.01 + 1e-6);
    ps_noise_def nqs = {.stddev = 0.05, .quantum = 0.02};
    st = run_noise(nqs, 100, 4);
    CHECK(st.quantized);
    // With noise 0.05 >> q the rounding adds variance q^2/12: sd = sqrt(0.05^2 + 0.02^2/12) within 5%.
    CHECK_REL(st.sd, sqrt(0.05 * 0.05 + 0.02 * 0.02 / 12), 0.05);

    // Dropout 0.2: NaN with probability 0.2 per beam and sample. Binomial
    // tolerance: 4 standard deviations, 4 sqrt(p (1-p) / N).
    ps_noise_def nd = {.dropout = 0.2};
    st = run_noise(nd, 100, 5);
    double rate = (double)st.nan_count / (double)st.total;
    CHECK_NEAR(rate, 0.2, 4 * sqrt(0.2 * 0.8 / (double)st.total));
    // The values that are not dropped are exact (no other noise): mean 0, sd 0 (1e-6 float).
    CHECK_NEAR(st.mean, 0, 1e-6);
    CHECK_NEAR(st.sd, 0, 1e-6);
}

// A proximity sensor on a kinematic body approaching a wall at 0.5 m/s,
// so that every sample differs.
typedef struct approach {
    ps_world *w;
    ps_body_id body, block;
} approach;

static approach make_approach(uint64_t seed)
{
    ps_world_def wd = tu_world_def();
    wd.gravity = tu_v(0, 0, 0);
    wd.seed = seed;
    approach a;
    a.w = tu_world_from(&wd, "approach");
    static_box(a.w, 5.05, 0, 1, 0.1, 4, 2); // face at x = 5
    ps_body_def bd = ps_default_body_def();
    bd.name = "cart";
    bd.kind = PS_BODY_KINEMATIC;
    bd.pose = tu_pose(0, 0, 0.5);
    bd.linvel = tu_v(0.5, 0, 0);
    a.body = ps_body_create(a.w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.2, 0.2, 0.2);
    ps_geom_create(a.w, a.body, &g);
    // A block that is moved into the beam later (latency of hits).
    a.block = box_body(a.w, "block", PS_BODY_DYNAMIC, tu_v(3, 3, 0.5), tu_v(0.2, 0.2, 0.2), 0);
    return a;
}

static ps_sensor_def prox_def(const char *name, ps_body_id b)
{
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_PROXIMITY);
    d.name = name;
    d.body = b;
    d.range_max = 10;
    return d;
}

static void test_latency(void)
{
    approach a = make_approach(1);
    ps_sensor_def d0 = prox_def("now", a.body), d3 = prox_def("late", a.body);
    d3.noise.latency = 3;
    ps_sensor_id now = MAKE(a.w, &d0), late = MAKE(a.w, &d3);
    double hist[200], times[200];
    bool exact = true, stamps = true;
    for (int k = 0; k < 200; k++) {
        tu_step(a.w, 1);
        hist[k] = rd(a.w, now, 0);
        times[k] = ps_world_time(a.w);
        if (k < 3) {
            // Before the 4th sample nothing has come out of the delay line:
            // the initial reading (range_max) with stamp 0.
            exact &= rd(a.w, late, 0) == 10.0;
            stamps &= ps_sensor_stamp(a.w, late) == 0.0;
        } else {
            // Exactly the reading of 3 samples earlier, with its stamp (bit-exact).
            exact &= rd(a.w, late, 0) == hist[k - 3];
            stamps &= ps_sensor_stamp(a.w, late) == times[k - 3];
        }
    }
    CHECK(exact);
    CHECK(stamps);
    CHECK(hist[199] < hist[0] - 0.1); // the readings did change (the cart moved 0.2 m)
    // The hit ids are delayed with the distances: put the block in the beam
    // (x = 4.5, in front of the wall); for the next 3 samples the delayed
    // reading still shows the wall, and its hit must say the wall (-1).
    ps_body_set_pose(a.w, a.block, tu_pose(4.5, 0, 0.5));
    tu_step(a.w, 1);
    CHECK_EQ(hit(a.w, now, 0), (int32_t)a.block.index + 1);
    CHECK(rd(a.w, late, 0) > rd(a.w, now, 0) + 0.3); // the delayed distance is the wall's
    CHECK_EQ(hit(a.w, late, 0), -1);
    ps_world_destroy(a.w);
}

static void test_rate(void)
{
    approach a = make_approach(1);
    // rate 10 Hz at dt 2 ms: every 50th step; over 2 s (1000 steps) 20
    // distinct samples, stamped at multiples of 0.1 s. 100 Hz: 200 samples.
    // 0 and rates above 1/dt: every step.
    const double rates[] = {10, 100, 0, 1000};
    const int want[] = {20, 200, 1000, 1000};
    ps_sensor_id s[4];
    char names[4][16];
    for (int i = 0; i < 4; i++) {
        snprintf(names[i], sizeof names[i], "r%d", i);
        ps_sensor_def d = prox_def(names[i], a.body);
        d.rate = rates[i];
        s[i] = MAKE(a.w, &d);
    }
    int changes[4] = {0}, stamp_changes[4] = {0};
    double last[4], last_stamp[4];
    bool stamps_on_grid = true;
    for (int i = 0; i < 4; i++) last[i] = rd(a.w, s[i], 0), last_stamp[i] = ps_sensor_stamp(a.w, s[i]);
    for (int k = 0; k < 1000; k++) {
        tu_step(a.w, 1);
        for (int i = 0; i < 4; i++) {
            double v = rd(a.w, s[i], 0), t = ps_sensor_stamp(a.w, s[i]);
            changes[i] += v != last[i];
            stamp_changes[i] += t != last_stamp[i];
            last[i] = v;
            last_stamp[i] = t;
        }
        double t10 = ps_sensor_stamp(a.w, s[0]);
        stamps_on_grid &= fabs(t10 / 0.1 - floor(t10 / 0.1 + 0.5)) < 1e-9; // 1e-9: rounding of k * dt
    }
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(changes[i], want[i]);
        CHECK_EQ(stamp_changes[i], want[i]);
    }
    CHECK(stamps_on_grid);
    CHECK_NEAR(ps_sensor_stamp(a.w, s[0]), 2.0, 1e-12);
    ps_world_destroy(a.w);
}

/* ------------------------------------------------- force-torque, contact */

static void test_force_torque(void)
{
    ps_world *w = tu_world();
    // An 8 kg box (0.2 m cube, 1000 kg/m^3) hanging 0.3 m below a hinge with a vertical axis.
    ps_body_id box = tu_box_body(w, "mass", tu_pose(0, 0, 1.0), 0.2, 0.2, 0.2, 1000);
    double m = 0;
    ps_body_get_mass(w, box, &m, NULL, NULL);
    CHECK_NEAR(m, 8.0, 1e-9);
    ps_joint_def jd = ps_default_joint_def(PS_JOINT_HINGE);
    jd.body1 = box;
    jd.anchor = tu_v(0, 0, 1.3);
    jd.axis = tu_v(0, 0, 1);
    ps_joint_id j = ps_joint_create(w, &jd);
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_FORCE_TORQUE);
    d.name = "ft";
    d.joint = j;
    ps_sensor_id ft = MAKE(w, &d);
    // A second one at the anchor, turned 90 deg about x: the joint axis (world z) is its +y.
    ps_sensor_def d2 = d;
    d2.name = "ft_rotated";
    d2.pose = tu_pose(0, 0, 0.3);
    d2.pose.q = tu_quat_axis(1, 0, 0, M_PI / 2);
    ps_sensor_id ft2 = MAKE(w, &d2);
    CHECK_EQ(tu_step(w, 200), PS_OK);
    double mg = m * G;
    // m g along the joint axis within 1%; the other components below 1% of m g.
    CHECK_REL(rd(w, ft, 2), mg, 0.01);
    CHECK_NEAR(rd(w, ft, 0), 0, 0.01 * mg);
    CHECK_NEAR(rd(w, ft, 1), 0, 0.01 * mg);
    // The force's line passes through the sensor (the centre of mass): no torque (1% of m g x 0.3 m).
    for (int i = 3; i < 6; i++) CHECK_NEAR(rd(w, ft, (size_t)i), 0, 0.01 * mg * 0.3);
    CHECK_REL(rd(w, ft2, 1), mg, 0.01);
    CHECK_NEAR(rd(w, ft2, 0), 0, 0.01 * mg);
    CHECK_NEAR(rd(w, ft2, 2), 0, 0.01 * mg);
    for (int i = 3; i < 6; i++) CHECK_NEAR(rd(w, ft2, (size_t)i), 0, 0.01 * mg * 0.3);
    ps_world_destroy(w);
}

static void test_contact(void)
{
    ps_world *w = tu_world();
    tu_ground(w);
    const double r = 0.1, h = 0.5; // the sphere's bottom starts 0.5 m above the ground
    ps_body_id ball = tu_sphere_body(w, "ball", tu_pose(0, 0, h + r), r, 1000);
    double m = 0;
    ps_body_get_mass(w, ball, &m, NULL, NULL);
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_CONTACT);
    d.name = "touch";
    d.body = ball;
    ps_sensor_id s = MAKE(w, &d);
    const double t_land = sqrt(2 * h / G); // 0.319 s
    int early = 0, late_missing = 0, first_touch = -1;
    for (int k = 1; k <= 500; k++) {
        tu_step(w, 1);
        double t = k * DT, touching = rd(w, s, 0);
        if (touching != 0 && first_touch < 0) first_touch = k;
        // 0 until the analytic landing time minus 3 steps (ODE's explicit
        // integration and the one-step collision lag are within 2 steps).
        if (t < t_land - 3 * DT && touching != 0) early++;
        // 1 on every step once the ball rests, 0.1 s after landing. (In
        // between ODE pushes the impact step's ~5 mm penetration out at up
        // to 0.37 m/s: a 2.6 mm hop of ~45 ms without contact. Physics, not
        // the sensor.)
        if (t > t_land + 0.1 && touching != 1) late_missing++;
    }
    CHECK_EQ(early, 0);
    CHECK_EQ(late_missing, 0);
    // The first touch within 3 steps of the analytic landing time.
    CHECK_NEAR(first_touch * DT, t_land, 3 * DT);
    // Resting after 1 s: total normal force m g within 1%, at least one contact point.
    CHECK_REL(rd(w, s, 1), m * G, 0.01);
    CHECK(rd(w, s, 2) >= 1);
    ps_world_destroy(w);
}

/* ------------------------------------------------------------ determinism */

static void record(uint64_t seed, float *out, int steps)
{
    ps_world_def wd = tu_world_def();
    wd.seed = seed;
    ps_world *w = tu_world_from(&wd, "det");
    tu_ground(w);
    static_box(w, 2.05, 0, 1, 0.1, 6.2, 2);
    ps_body_id b = tu_box_body(w, "box", tu_pose(0, 0, 0.1), 0.4, 0.4, 0.2, 500);
    ps_sensor_def dl = lidar_def("lidar", b);
    dl.h_beams = 36;
    dl.noise = (ps_noise_def){.stddev = 0.05, .bias = 0.01, .drift = 0.02, .dropout = 0.05, .quantum = 0.001, .latency = 2};
    dl.attenuation = 0.1;
    dl.spurious = 0.05;
    ps_sensor_def di = imu_def("imu", b);
    di.noise = (ps_noise_def){.stddev = 0.02, .drift = 0.01};
    ps_sensor_id l = MAKE(w, &dl), imu = MAKE(w, &di);
    for (int k = 0; k < steps; k++) {
        tu_step(w, 1);
        size_t n1 = 0, n2 = 0;
        const float *a = ps_sensor_data(w, l, &n1), *c = ps_sensor_data(w, imu, &n2);
        memcpy(out + (size_t)k * 46, a, 36 * sizeof *out);
        memcpy(out + (size_t)k * 46 + 36, c, 10 * sizeof *out);
    }
    ps_world_destroy(w);
}

static void test_determinism(void)
{
    enum { STEPS = 300 };
    static float a[STEPS * 46], b[STEPS * 46], c[STEPS * 46];
    record(7, a, STEPS);
    record(7, b, STEPS);
    record(8, c, STEPS);
    // Same seed: bit-identical readings (NaN bit patterns included).
    CHECK(memcmp(a, b, sizeof a) == 0);
    // Another seed: different noise.
    CHECK(memcmp(a, c, sizeof a) != 0);
    long differ = 0;
    for (int i = 0; i < STEPS * 46; i++) differ += memcmp(&a[i], &c[i], sizeof a[i]) != 0;
    CHECK(differ > STEPS * 46 / 2); // most values differ, not just a few
}

/* ----------------------------------------------------------------- camera */

typedef struct cam_log {
    int calls;
    ps_sensor_id last_id;
    ps_pose last_pose;
    int width, height;
    bool fail;
} cam_log;

static float pattern(size_t i) { return (float)((i * 7) % 13) / 13.0f; }

static bool test_render(void *user, const ps_world *w, ps_sensor_id camera, ps_pose pose, const ps_sensor_def *def, float *out)
{
    (void)w;
    cam_log *c = user;
    c->calls++;
    c->last_id = camera;
    c->last_pose = pose;
    c->width = def->width;
    c->height = def->height;
    size_t n = (size_t)def->width * (size_t)def->height * (def->camera == PS_CAMERA_RGB ? 3u : 1u);
    for (size_t i = 0; i < n; i++) out[i] = pattern(i);
    return !c->fail;
}

static void test_camera(void)
{
    ps_world *w = tu_world_nograv();
    ps_body_id b = box_body(w, "head", PS_BODY_DYNAMIC, tu_v(1, 2, 1.5), tu_v(0.1, 0.1, 0.1), 0);
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_CAMERA);
    d.name = "eye";
    d.body = b;
    d.width = 8;
    d.height = 6;
    d.pose = tu_pose(0.05, 0, 0.02);
    // Without a render callback the camera is refused, saying why.
    ps_sensor_id none = ps_sensor_create(w, &d);
    CHECK_EQ(none.gen, 0);
    CHECK_HAS(ps_world_last_error(w), "renderer");
    CHECK_HAS(ps_world_last_error(w), "'eye'");
    CHECK(!ps_sensor_valid(w, ps_sensor_find(w, "eye")));

    cam_log log = {0};
    ps_world_set_render_callback(w, test_render, &log);
    ps_sensor_id cam = MAKE(w, &d);
    int shape[3] = {0};
    CHECK_EQ(ps_sensor_shape(w, cam, shape), 3);
    CHECK(shape[0] == 6 && shape[1] == 8 && shape[2] == 3);
    size_t n = 0;
    const float *px = ps_sensor_data(w, cam, &n);
    CHECK_EQ(n, 8 * 6 * 3);
    CHECK_EQ(log.calls, 0); // nothing rendered before the first sample
    tu_step(w, 1);
    CHECK_EQ(log.calls, 1);
    bool same = px != NULL;
    for (size_t i = 0; same && i < n; i++) same = px[i] == pattern(i);
    CHECK(same); // the buffer holds exactly what the callback wrote
    CHECK(log.last_id.index == cam.index && log.last_id.gen == cam.gen);
    CHECK(log.width == 8 && log.height == 6);
    // The callback got the mount's world pose (body at (1, 2, 1.5), unrotated): 1e-9 m.
    CHECK_NEAR(tu_norm(tu_sub(log.last_pose.p, tu_v(1.05, 2, 1.52))), 0, 1e-9);
    CHECK_NEAR(ps_sensor_stamp(w, cam), DT, 1e-15);

    // A depth camera: one channel; at 10 Hz it renders every 50th step.
    ps_sensor_def dd = d;
    dd.name = "depth";
    dd.camera = PS_CAMERA_DEPTH;
    dd.rate = 10;
    ps_sensor_id depth = MAKE(w, &dd);
    CHECK_EQ(ps_sensor_shape(w, depth, shape), 3);
    CHECK_EQ(shape[2], 1);
    ps_sensor_data(w, depth, &n);
    CHECK_EQ(n, 8 * 6);
    log.calls = 0;
    tu_step(w, 99); // steps 2..100: "eye" 99 times, "depth" at step 50 and 100
    CHECK_EQ(log.calls, 99 + 2);
    // A failing render fails the step, naming the camera.
    log.fail = true;
    CHECK_EQ(ps_world_step(w), PS_ERR_STATE);
    CHECK_HAS(ps_world_last_error(w), "camera 'eye': rendering failed");
    ps_world_destroy(w);
}

/* --------------------------------------------------------------- odometry */

static void test_odometry(void)
{
    // A kinematic body driving straight at 0.5 m/s along its heading (yaw
    // 0.5 rad) for 2 s. Without noise the odometry (in the start frame: x
    // forward) equals the true displacement within 1 cm; yaw stays 0 (1e-6).
    for (int noisy = 0; noisy < 2; noisy++) {
        ps_world *w = tu_world_nograv();
        const double yaw = 0.5, v = 0.5;
        ps_body_def bd = ps_default_body_def();
        bd.name = "base";
        bd.kind = PS_BODY_KINEMATIC;
        bd.pose = tu_pose(1, -1, 0.1);
        bd.pose.q = tu_quat_axis(0, 0, 1, yaw);
        bd.linvel = tu_v(v * cos(yaw), v * sin(yaw), 0);
        ps_body_id b = ps_body_create(w, &bd);
        ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_ODOMETRY);
        d.name = "odom";
        d.body = b;
        if (noisy) d.noise = (ps_noise_def){.stddev = 0.05, .bias = 0.02};
        ps_sensor_id s = MAKE(w, &d);
        tu_step(w, 1000);
        ps_vec3 p = tu_pos(w, b);
        ps_vec3 dp = tu_rotate(tu_quat_axis(0, 0, 1, -yaw), tu_sub(p, tu_v(1, -1, 0.1))); // start frame
        CHECK_NEAR(dp.x, 1.0, 1e-9); // (the body did drive 1 m straight)
        double ex = rd(w, s, 0) - dp.x, ey = rd(w, s, 1) - dp.y, eyaw = rd(w, s, 2);
        if (!noisy) {
            CHECK_NEAR(hypot(ex, ey), 0, 0.01);
            CHECK_NEAR(eyaw, 0, 1e-6);
            CHECK_NEAR(rd(w, s, 3), v, 1e-6); // forward speed (float)
            CHECK_NEAR(rd(w, s, 4), 0, 1e-6); // yaw rate
        } else {
            // With noise (bias 0.02 on speed and yaw rate, stddev 0.05) the
            // estimate drifts: the speed bias alone is 0.02 m/s x 2 s = 4 cm,
            // the yaw bias 0.04 rad; both well above 1 cm / 0.01 rad.
            CHECK(hypot(ex, ey) > 0.01);
            CHECK(fabs(eyaw) > 0.01);
        }
        ps_world_destroy(w);
    }
}

/* ----------------------------------------------------------- invalid defs */

static void expect_refused(ps_world *w, const ps_sensor_def *d, const char *field, int line)
{
    ps_sensor_id s = ps_sensor_create(w, d);
    ps_t_check(s.gen == 0, "invalid sensor def refused", __FILE__, line);
    char name[80];
    snprintf(name, sizeof name, "'%s'", d->name);
    ps_t_check_has(ps_world_last_error(w), name, "last_error (sensor name)", __FILE__, line);
    ps_t_check_has(ps_world_last_error(w), field, "last_error (field)", __FILE__, line);
}

#define REFUSE(mod, field) \
    do { \
        ps_sensor_def d_ = lidar_def("bad_sensor", b); \
        mod; \
        expect_refused(w, &d_, field, __LINE__); \
    } while (0)

static void test_invalid_defs(void)
{
    ps_world *w = tu_world_nograv();
    ps_body_id b = box_body(w, "b", PS_BODY_DYNAMIC, tu_v(0, 0, 1), tu_v(0.2, 0.2, 0.2), 0);
    // Each refusal names the sensor and the offending field.
    REFUSE(d_.body = PS_BODY_NONE, "body");
    REFUSE(d_.h_beams = 0, "h_beams");
    REFUSE(d_.v_beams = 0, "v_beams");
    REFUSE((d_.range_min = 5, d_.range_max = 5), "range_min");
    REFUSE((d_.range_min = 6, d_.range_max = 5), "range_max");
    REFUSE(d_.noise.dropout = 1, "dropout");
    REFUSE(d_.noise.latency = 100, "latency");
    REFUSE(d_.noise.latency = -1, "latency");
    REFUSE(d_.noise.stddev = -0.1, "stddev");
    REFUSE(d_.rate = -1, "rate");
    REFUSE(d_.h_fov = 0, "h_fov");
    REFUSE(d_.v_min = 0.5, "v_min"); // v_min > v_max
    REFUSE(d_.attenuation = 1, "attenuation");
    REFUSE(d_.pose.p.x = NAN, "pose");
    REFUSE((d_.type = PS_SENSOR_FORCE_TORQUE), "joint");
    // A name is required; names are unique.
    ps_sensor_def dn = lidar_def(NULL, b);
    CHECK_EQ(ps_sensor_create(w, &dn).gen, 0);
    CHECK_HAS(ps_world_last_error(w), "name");
    ps_sensor_def ok = lidar_def("lidar", b);
    CHECK(ps_sensor_valid(w, MAKE(w, &ok)));
    CHECK_EQ(ps_sensor_create(w, &ok).gen, 0);
    CHECK_HAS(ps_world_last_error(w), "'lidar' already exists");
    CHECK_EQ(ps_world_sensor_count(w), 1);
    // Stale and zero ids are refused by every reader.
    ps_sensor_id zero = PS_SENSOR_NONE, wrong = {0, 9, 0};
    size_t n = 7;
    CHECK(ps_sensor_data(w, zero, &n) == NULL);
    CHECK_EQ(n, 0);
    CHECK(ps_sensor_data(w, wrong, &n) == NULL);
    CHECK(ps_sensor_name(w, wrong) == NULL);
    CHECK(!ps_sensor_valid(w, wrong));
    ps_world_destroy(w);
}

int main(void)
{
    RUN(test_imu_rest);
    RUN(test_imu_free_fall);
    RUN(test_lidar_2d);
    RUN(test_lidar_3d);
    RUN(test_lidar_assembled_robot);
    RUN(test_noise_gaussian);
    RUN(test_latency);
    RUN(test_rate);
    RUN(test_force_torque);
    RUN(test_contact);
    RUN(test_determinism);
    RUN(test_camera);
    RUN(test_odometry);
    RUN(test_invalid_defs);
    return TEST_DONE();
}
