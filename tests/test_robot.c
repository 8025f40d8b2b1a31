// Robots from real URDF models (assets/example-robot-data): structure and
// mass, free swinging with energy conserved, PD holding a pose, a quadruped
// standing, actuator clamping and errors, mimic joints.
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/robot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif
#define ROBOTS PILOTSIM_SOURCE_DIR "/assets/example-robot-data/robots/"

static char err[PS_ERR_LEN];

static ps_urdf_model *load_urdf(const char *path)
{
    ps_urdf_options o = ps_urdf_default_options();
    ps_urdf_options_add_package_path(&o, PILOTSIM_SOURCE_DIR "/assets");
    ps_urdf_model *m = ps_urdf_load(path, &o, err, sizeof err);
    ps_urdf_options_clear(&o);
    if (!m) NOTE("%s", err);
    return m;
}

static ps_world *world(double dt, int iterations)
{
    ps_world_def d = ps_default_world_def();
    d.timestep = dt;
    d.iterations = iterations;
    return ps_world_create(&d, err, sizeof err);
}

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

// v rotated by unit quaternion q.
static ps_vec3 ps_quat_rotate_pub(ps_quat q, ps_vec3 v)
{
    ps_vec3 u = {q.x, q.y, q.z};
    ps_vec3 t = {2 * (u.y * v.z - u.z * v.y), 2 * (u.z * v.x - u.x * v.z), 2 * (u.x * v.y - u.y * v.x)};
    return (ps_vec3){v.x + q.w * t.x + (u.y * t.z - u.z * t.y), v.y + q.w * t.y + (u.z * t.x - u.x * t.z),
                     v.z + q.w * t.z + (u.x * t.y - u.y * t.x)};
}

// v rotated by the inverse of unit quaternion q.
static ps_vec3 rotT(ps_quat q, ps_vec3 v)
{
    ps_vec3 u = {-q.x, -q.y, -q.z};
    ps_vec3 t = {2 * (u.y * v.z - u.z * v.y), 2 * (u.z * v.x - u.x * v.z), 2 * (u.x * v.y - u.y * v.x)};
    return (ps_vec3){v.x + q.w * t.x + (u.y * t.z - u.z * t.y), v.y + q.w * t.y + (u.z * t.x - u.x * t.z),
                     v.z + q.w * t.z + (u.x * t.y - u.y * t.x)};
}

// Kinetic + potential energy of every dynamic body (J), gravity -9.81 z;
// the kinetic part alone in *kin.
static double energy(ps_world *w, double *kin)
{
    double e = 0, k = 0;
    for (size_t i = 0; i < ps_world_body_count(w); i++) {
        ps_body_id b = ps_world_body_at(w, i);
        if (ps_body_get_kind(w, b) != PS_BODY_DYNAMIC) continue;
        double m, I[6];
        ps_vec3 com, v, om;
        ps_pose p;
        ps_body_get_mass(w, b, &m, NULL, I);
        ps_body_get_com_world(w, b, &com);
        ps_body_get_linvel(w, b, &v);
        ps_body_get_angvel(w, b, &om);
        ps_body_get_pose(w, b, &p);
        ps_vec3 o = rotT(p.q, om); // angular velocity in body axes
        double Io[3] = {I[0] * o.x + I[3] * o.y + I[4] * o.z, I[3] * o.x + I[1] * o.y + I[5] * o.z,
                        I[4] * o.x + I[5] * o.y + I[2] * o.z};
        double ke = 0.5 * m * (v.x * v.x + v.y * v.y + v.z * v.z) + 0.5 * (o.x * Io[0] + o.y * Io[1] + o.z * Io[2]);
        k += ke;
        e += ke + m * 9.81 * com.z;
    }
    if (kin) *kin = k;
    return e;
}

static void test_structure_and_mass(void)
{
    // Expected counts come from the URDF files themselves (moving joints only;
    // fixed joints merge their child links into the parent body).
    struct { const char *file; size_t links, moving; } cases[] = {
        {ROBOTS "go2_description/urdf/go2.urdf", 0, 12},
        {ROBOTS "ur_description/urdf/ur5_robot.urdf", 0, 6},
        {ROBOTS "solo_description/robots/solo12.urdf", 0, 12},
        {ROBOTS "double_pendulum_description/urdf/double_pendulum_continuous.urdf", 0, 2},
        {ROBOTS "simple_humanoid_description/urdf/simple_humanoid.urdf", 0, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ps_urdf_model *m = load_urdf(cases[c].file);
        if (!CHECK(m != NULL)) continue;
        ps_world *w = world(0.002, 20);
        ps_urdf_build_options bo = ps_default_urdf_build_options();
        bo.fixed_base = false;
        ps_robot_id r = ps_robot_from_urdf(w, m, &bo);
        if (!CHECK(ps_robot_valid(w, r))) {
            NOTE("%s: %s", cases[c].file, ps_world_last_error(w));
        } else {
            CHECK_EQ(ps_robot_link_count(w, r), m->link_count);
            // Enumeration: the one robot, then nothing.
            CHECK_EQ(ps_world_robot_count(w), 1);
            CHECK(ps_world_robot_at(w, 0).index == r.index && ps_world_robot_at(w, 0).gen == r.gen);
            CHECK_EQ(ps_world_robot_at(w, 1).gen, 0);
            size_t moving = 0;
            for (size_t j = 0; j < m->joint_count; j++) {
                ps_urdf_joint_type t = m->joints[j].type;
                moving += t == PS_URDF_REVOLUTE || t == PS_URDF_CONTINUOUS || t == PS_URDF_PRISMATIC;
            }
            CHECK_EQ(ps_robot_joint_count(w, r), moving);
            if (cases[c].moving) CHECK_EQ(moving, cases[c].moving);
            // Mass: the robot's bodies carry exactly the URDF's total (merging is exact).
            if (!CHECK_REL(ps_robot_mass(w, r), ps_urdf_total_mass(m), 1e-9))
                NOTE("%s: robot %g kg, URDF %g kg", cases[c].file, ps_robot_mass(w, r), ps_urdf_total_mass(m));
            CHECK(strcmp(ps_robot_link_name(w, r, 0), m->links[m->root_link].name) == 0);
        }
        ps_world_destroy(w);
        ps_urdf_free(m);
    }
}

static void test_double_pendulum_energy(void)
{
    // Continuous joints, damping off: the swinging pendulum keeps its energy
    // within 1% over 5 s. The error is the integrator's (semi-implicit Euler):
    // 4.6% at dt 1 ms, 0.6% at 0.5 ms, 0.08% at dt 0.2 ms, used here.
    ps_urdf_model *m = load_urdf(ROBOTS "double_pendulum_description/urdf/double_pendulum_continuous.urdf");
    if (!CHECK(m != NULL)) return;
    ps_world *w = world(0.0002, 20);
    ps_urdf_build_options bo = ps_default_urdf_build_options();
    bo.fixed_base = true;
    bo.urdf_dynamics = false; // the URDF's damping 0.05 off
    ps_robot_id r = ps_robot_from_urdf(w, m, &bo);
    if (!CHECK(ps_robot_valid(w, r))) {
        NOTE("%s", ps_world_last_error(w));
        return;
    }
    CHECK_EQ(ps_robot_joint_count(w, r), 2);
    double q0[2] = {1.2, -0.6};
    CHECK_EQ(ps_robot_set_positions(w, r, q0), PS_OK);
    double q[2];
    ps_robot_positions(w, r, q);
    CHECK_NEAR(q[0], 1.2, 1e-9);
    CHECK_NEAR(q[1], -0.6, 1e-9);
    // Tolerance: the total energy stays within 1% of the largest kinetic
    // energy of the run (the energy the swing exchanges), over 5 s.
    double e0 = energy(w, NULL), drift = 0, kmax = 0, swing = 0;
    for (int i = 0; i < 25000; i++) {
        if (!CHECK_EQ(ps_world_step(w), PS_OK)) break;
        double k, e = energy(w, &k);
        drift = fmax(drift, fabs(e - e0));
        kmax = fmax(kmax, k);
        ps_robot_positions(w, r, q);
        swing = fmax(swing, fabs(q[1] - -0.6));
        if (getenv("PS_TEST_VERBOSE") && i % 2500 == 0) NOTE("t %.3f E %.6f K %.6f q %.4f %.4f", (i + 1) * 0.0002, e, k, q[0], q[1]);
    }
    printf("double pendulum: E0 %.6f J, max |E - E0| %.3g J, max kinetic %.4f J (%.3f%%), swing %.3f rad\n", e0,
           drift, kmax, 100 * drift / kmax, swing);
    CHECK(kmax > 0.01);
    CHECK(drift <= 0.01 * kmax);
    CHECK(swing > 0.5); // it really swings
    ps_world_destroy(w);
    ps_urdf_free(m);
}

// Builds a URDF robot into a fresh world; NULL world on failure.
static ps_world *robot_world(const char *file, double dt, int iterations, bool fixed, ps_actuator_def act,
                             ps_robot_id *r, ps_urdf_model **model)
{
    *model = load_urdf(file);
    if (!*model) return NULL;
    ps_world *w = world(dt, iterations);
    ps_urdf_build_options bo = ps_default_urdf_build_options();
    bo.fixed_base = fixed;
    bo.actuator = act;
    *r = ps_robot_from_urdf(w, *model, &bo);
    if (!ps_robot_valid(w, *r)) {
        NOTE("%s: %s", file, ps_world_last_error(w));
        ps_world_destroy(w);
        ps_urdf_free(*model);
        *model = NULL;
        return NULL;
    }
    return w;
}

static double dist(ps_vec3 a, ps_vec3 b)
{
    return sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z));
}

static void test_ur5_holds_pose(void)
{
    // Position servos (implicit PD, kp 1e6 N m/rad, kd 2e4 N m s/rad, the URDF's
    // effort limits) hold a commanded pose against gravity: after 3 s the
    // tool flange is within 1 mm of where forward kinematics puts it. The
    // residual is QuickStep's convergence: 2.5 mm at 20 iterations, 0.84 mm
    // at 50, 0.41 mm at 100 (used here), 0.20 mm at 200.
    const char *file = ROBOTS "ur_description/urdf/ur5_robot.urdf";
    ps_actuator_def a = ps_default_actuator_def();
    a.mode = PS_ACT_POSITION;
    a.kp = 1e6;
    a.kd = 2e4;
    ps_urdf_model *m;
    ps_robot_id r;
    ps_world *w = robot_world(file, 0.002, 100, true, a, &r, &m);
    if (!CHECK(w != NULL)) return;
    const double target[6] = {0.4, -1.2, 1.4, -1.6, -1.57, 0.3};
    CHECK_EQ(ps_robot_joint_count(w, r), 6);
    for (size_t i = 0; i < 6; i++) CHECK_EQ(ps_robot_set_command(w, r, i, target[i]), PS_OK);
    for (int i = 0; i < 1500; i++)
        if (!CHECK_EQ(ps_world_step(w), PS_OK)) break;
    int tool = ps_robot_link_index(w, r, "tool0");
    CHECK(tool >= 0);
    ps_pose held;
    ps_robot_link_pose(w, r, (size_t)tool, &held);
    double q[6], tau[6];
    ps_robot_positions(w, r, q);
    ps_robot_efforts(w, r, tau);
    // Reference: the same robot teleported to the target (pure kinematics).
    ps_urdf_model *m2;
    ps_robot_id r2;
    ps_world *ref = robot_world(file, 0.002, 100, true, a, &r2, &m2);
    CHECK_EQ(ps_robot_set_positions(ref, r2, target), PS_OK);
    ps_pose want;
    ps_robot_link_pose(ref, r2, (size_t)tool, &want);
    double e = dist(held.p, want.p);
    printf("ur5: tool0 error %.3f mm; joint errors", e * 1000);
    for (int i = 0; i < 6; i++) printf(" %.2e", q[i] - target[i]);
    printf("; shoulder_lift effort %.1f N m\n", tau[1]);
    CHECK(e < 0.001);
    // Gravity loads the shoulder: its effort is far from zero and within the limit (150 N m).
    CHECK(fabs(tau[1]) > 10 && fabs(tau[1]) <= 150 + 1e-6);
    ps_world_destroy(ref);
    ps_urdf_free(m2);
    ps_world_destroy(w);
    ps_urdf_free(m);
}

static void test_go2_stands(void)
{
    // Floating base, PD servos (kp 60, kd 2) on a standing pose; the robot is
    // dropped 1 cm onto the ground and must still stand after 10 s: base height
    // within 3 cm of where it settled after 1 s, upright within 5 degrees.
    const char *file = ROBOTS "go2_description/urdf/go2.urdf";
    ps_actuator_def a = ps_default_actuator_def();
    a.mode = PS_ACT_POSITION;
    a.kp = 60;
    a.kd = 2;
    ps_urdf_model *m;
    ps_robot_id r;
    ps_world *w = robot_world(file, 0.002, 50, false, a, &r, &m);
    if (!CHECK(w != NULL)) return;
    ps_geom_def ground = ps_default_geom_def(PS_GEOM_PLANE);
    ps_geom_create(w, PS_BODY_NONE, &ground);
    size_t n = ps_robot_joint_count(w, r);
    CHECK_EQ(n, 12);
    double q[12];
    for (size_t i = 0; i < n; i++) {
        const char *jn = ps_robot_joint_name(w, r, i);
        q[i] = strstr(jn, "hip") ? 0.0 : strstr(jn, "thigh") ? 0.8 : -1.5;
    }
    ps_robot_set_positions(w, r, q);
    // Lower the base until the lowest foot is 1 cm above the ground.
    double lowest = 1e9;
    for (size_t l = 0; l < ps_robot_link_count(w, r); l++) {
        if (!strstr(ps_robot_link_name(w, r, l), "foot")) continue;
        ps_pose p;
        ps_robot_link_pose(w, r, l, &p);
        lowest = fmin(lowest, p.p.z);
    }
    ps_pose base;
    ps_body_id bb = ps_robot_link_body(w, r, 0);
    ps_body_get_pose(w, bb, &base);
    base.p.z += -lowest + 0.022 + 0.01; // the foot collision hull's radius is about 2 cm
    ps_body_set_pose(w, bb, base);
    ps_robot_set_positions(w, r, q);
    double z1 = 0;
    ps_status st = PS_OK;
    for (int i = 0; i < 5000 && st == PS_OK; i++) {
        st = ps_world_step(w);
        if (i == 499) {
            ps_body_get_pose(w, bb, &base);
            z1 = base.p.z;
        }
    }
    CHECK_EQ(st, PS_OK);
    ps_body_get_pose(w, bb, &base);
    ps_vec3 up = ps_quat_rotate_pub(base.q, (ps_vec3){0, 0, 1});
    double tilt = acos(fmin(1.0, up.z)) * 180 / M_PI;
    printf("go2: base z after 1 s %.4f m, after 10 s %.4f m, tilt %.2f deg, mass %.3f kg\n", z1, base.p.z, tilt,
           ps_robot_mass(w, r));
    CHECK(z1 > 0.2);
    CHECK(fabs(base.p.z - z1) < 0.03);
    CHECK(tilt < 5);
    ps_world_destroy(w);
    ps_urdf_free(m);
}

static void test_limits_beyond_pi(void)
{
    // Go2's thigh range [-1.5708, 3.4907] reaches beyond pi: kept as written,
    // and a position servo drives the thigh through pi to 3.4 and holds it
    // there (no flip at the wrap); a target past the limit is clamped to it.
    const char *file = ROBOTS "go2_description/urdf/go2.urdf";
    ps_actuator_def a = ps_default_actuator_def();
    a.mode = PS_ACT_POSITION;
    a.kp = 60;
    a.kd = 2;
    ps_urdf_model *m;
    ps_robot_id r;
    ps_world *w = robot_world(file, 0.002, 50, true, a, &r, &m);
    if (!CHECK(w != NULL)) return;
    int k = ps_robot_joint_index(w, r, "FL_thigh_joint");
    double lo = 0, hi = 0;
    CHECK_EQ(ps_robot_joint_limits(w, r, (size_t)k, &lo, &hi), PS_OK);
    CHECK(lo == -1.5708 && hi == 3.4907);
    double q[12];
    ps_robot_positions(w, r, q);
    CHECK_EQ(ps_robot_set_command(w, r, (size_t)k, 3.4), PS_OK);
    double qmin = 10, qmax = -10;
    for (int i = 0; i < 1000; i++) {
        CHECK_EQ(ps_world_step(w), PS_OK);
        ps_robot_positions(w, r, q);
        qmin = fmin(qmin, q[k]);
        qmax = fmax(qmax, q[k]);
    }
    if (!CHECK_NEAR(q[k], 3.4, 0.05)) NOTE("thigh at %g after 2 s towards 3.4", q[k]);
    CHECK(qmin > -0.01 && qmax < hi + 0.02);
    CHECK_EQ(ps_robot_set_command(w, r, (size_t)k, 4.5), PS_OK);
    CHECK(ps_robot_command(w, r, (size_t)k) == hi);
    for (int i = 0; i < 500; i++) CHECK_EQ(ps_world_step(w), PS_OK);
    ps_robot_positions(w, r, q);
    if (!CHECK(q[k] > 3.4 && q[k] < hi + 0.02)) NOTE("thigh at %g, limit %g", q[k], hi);
    ps_world_destroy(w);
    ps_urdf_free(m);
}

static double body_z(const ps_world *w, ps_body_id b)
{
    ps_pose p;
    ps_body_get_pose(w, b, &p);
    return p.p.z;
}

// A parallel gripper fixed in space (its palm is the world): two 15 g
// fingers (2 x 2 x 6 cm) on sliders along x squeeze a 0.5 kg cube (5 cm),
// mu 0.5, with position servos pushing past the cube's faces at their effort
// limit `squeeze` (N). Default world settings (dt 2 ms, 20 iterations).
// Returns how far the cube slid down between the fingers from 0.25 s to
// 5.25 s, m (NAN if the step failed).
static double grasp_slip(double finger_kg, double armature, double squeeze, double *fell)
{
    ps_world_def wd = ps_default_world_def();
    ps_world *w = ps_world_create(&wd, err, sizeof err);
    ps_material_def md = ps_default_material_def();
    md.name = "grip";
    md.friction = 0.5;
    ps_material_id mat = ps_material_create(w, &md);
    ps_body_id bodies[3];
    const double xs[3] = {-0.0355, 0.0355, 0};
    for (int i = 0; i < 3; i++) {
        ps_body_def bd = ps_default_body_def();
        bd.name = i == 2 ? "cube" : i == 0 ? "left" : "right";
        bd.pose = ps_pose_identity();
        bd.pose.p = (ps_vec3){xs[i], 0, 0.5};
        bodies[i] = ps_body_create(w, &bd);
        ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
        g.size = i == 2 ? (ps_vec3){0.05, 0.05, 0.05} : (ps_vec3){0.02, 0.02, 0.06};
        g.density = i == 2 ? 4000 : finger_kg / 2.4e-5; // 0.5 kg cube
        g.material = mat;
        ps_geom_create(w, bodies[i], &g);
    }
    ps_robot_joint_def jd[2];
    for (int i = 0; i < 2; i++) {
        ps_joint_def d = ps_default_joint_def(PS_JOINT_SLIDER);
        d.body1 = bodies[i];
        d.axis = (ps_vec3){i == 0 ? 1 : -1, 0, 0}; // closing is +q for both
        d.axes[0].limited = true;
        d.axes[0].lo = -0.02;
        d.axes[0].hi = 0.03;
        ps_actuator_def a = ps_default_actuator_def();
        a.mode = PS_ACT_POSITION;
        a.kp = 2000;
        a.kd = 20;
        a.effort_limit = squeeze;
        a.armature = armature;
        jd[i] = (ps_robot_joint_def){.joint = ps_joint_create(w, &d), .actuator = a, .mimic = -1, .mimic_multiplier = 1};
    }
    ps_robot_def rd = {.name = "gripper", .links = bodies, .link_count = 2, .joints = jd, .joint_count = 2};
    ps_robot_id r = ps_robot_create(w, &rd);
    CHECK(ps_robot_valid(w, r));
    for (int i = 0; i < 2; i++) ps_robot_set_command(w, r, (size_t)i, 0.02); // 2 cm into the cube: saturates
    double z0 = 0, slip = NAN;
    ps_status st = PS_OK;
    for (int i = 0; i < 2625 && st == PS_OK; i++) {
        st = ps_world_step(w);
        if (i == 124) z0 = body_z(w, bodies[2]);
    }
    if (st == PS_OK) slip = z0 - body_z(w, bodies[2]);
    *fell = 0.5 - body_z(w, bodies[2]);
    ps_world_destroy(w);
    return slip;
}

static void test_light_finger_grasp(void)
{
    // 15 g fingers, 20 N squeeze (3.8x the Coulomb margin: 2 mu N = 20 N
    // against 4.9 N). With a realistic armature on the finger drives (0.1 kg:
    // a small rotor behind a lead screw reflects far more) the cube slips at
    // most 2 mm over 5 s at default solver settings. Without armature the
    // solver cannot hold it (printed, not required).
    double fell;
    double slip0 = grasp_slip(0.015, 0, 20, &fell);
    double slip50 = grasp_slip(0.05, 0, 20, &fell);
    printf("grasp, 50 g fingers, no armature: slip %.4f m\n", slip50);
    printf("grasp, 15 g fingers, no armature: slip %.4f m over 5 s (fell %.3f m)\n", slip0, fell);
    const double arms[3] = {0.05, 0.1, 1.0};
    for (int k = 0; k < 3; k++) {
        double slip = grasp_slip(0.015, arms[k], 20, &fell);
        printf("grasp, 15 g fingers, armature %.2f kg: slip %.5f m over 5 s (cube %.4f m below start)\n", arms[k], slip,
               fell);
        if (arms[k] >= 0.1 && !CHECK(slip >= -0.0005 && slip <= 0.002))
            NOTE("armature %g kg: slip %g m", arms[k], slip);
    }
}

typedef struct warn_log { int n; char last[600]; } warn_log;
static void count_warnings(void *user, ps_log_level level, const char *msg)
{
    warn_log *l = user;
    if (level != PS_LOG_WARN) return;
    l->n++;
    snprintf(l->last, sizeof l->last, "%s", msg);
}

static void test_solver_needs(void)
{
    // A URDF robot declares PS_URDF_MIN_ITERATIONS (and no timestep); the world
    // adopts them unless iterations_fixed (then one warning naming the robot).
    ps_urdf_model *m = load_urdf(ROBOTS "go2_description/urdf/go2.urdf");
    if (!CHECK(m != NULL)) return;
    for (int fixed = 0; fixed < 2; fixed++) {
        warn_log log = {0};
        ps_world_def d = ps_default_world_def();
        d.iterations_fixed = fixed;
        d.log = (ps_logger){count_warnings, &log};
        ps_world *w = ps_world_create(&d, err, sizeof err);
        ps_solver_settings st;
        ps_world_solver_settings(w, &st);
        CHECK_EQ(st.iterations, 20);
        CHECK_EQ(st.iterations_from, fixed ? PS_SETTING_FIXED : PS_SETTING_DEFAULT);
        CHECK_EQ(st.need_iterations, 0);
        ps_urdf_build_options o = ps_default_urdf_build_options();
        o.name = "dog";
        CHECK(ps_robot_valid(w, ps_robot_from_urdf(w, m, &o)));
        o.name = "dog2"; // a second robot with the same need: no second warning
        CHECK(ps_robot_valid(w, ps_robot_from_urdf(w, m, &o)));
        ps_world_solver_settings(w, &st);
        CHECK_EQ(st.iterations, fixed ? 20 : PS_URDF_MIN_ITERATIONS);
        CHECK_EQ(ps_world_get_def(w)->iterations, st.iterations);
        CHECK_EQ(st.iterations_from, fixed ? PS_SETTING_FIXED : PS_SETTING_ROBOT);
        CHECK_EQ(st.need_iterations, PS_URDF_MIN_ITERATIONS);
        CHECK(strcmp(st.need_iterations_robot, "dog") == 0);
        CHECK_NEAR(st.need_timestep, 0, 0);
        CHECK(st.need_timestep_robot[0] == 0);
        CHECK_EQ(log.n, fixed ? 1 : 0);
        if (fixed) CHECK(strstr(log.last, "world.iterations 20 is below the 50 robot 'dog' needs") != NULL);
        // A stricter need raises further (or warns again); a looser one changes nothing.
        ps_solver_need more = {80, 0.001, 0}, less = {30, 0.01, 0}; // less first: it sets the timestep need
        CHECK_EQ(ps_world_require_solver(w, "picky", &less), PS_OK);
        CHECK_EQ(ps_world_require_solver(w, "picky", &more), PS_OK);
        ps_world_solver_settings(w, &st);
        CHECK_EQ(st.iterations, fixed ? 20 : 80);
        CHECK(strcmp(st.need_timestep_robot, "picky") == 0);
        CHECK_NEAR(st.need_timestep, 0.001, 0);
        CHECK_EQ(log.n, fixed ? 3 : 1); // iterations (fixed only) and the timestep 0.002 > 0.001
        ps_solver_need bad = {-1, 0, 0}, bad2 = {10, NAN, 0}, bad3 = {10, 0.002, -1};
        CHECK_EQ(ps_world_require_solver(w, "x", &bad), PS_ERR_INVALID);
        CHECK_EQ(ps_world_require_solver(w, "x", &bad2), PS_ERR_INVALID);
        CHECK_EQ(ps_world_require_solver(w, "x", &bad3), PS_ERR_INVALID);
        CHECK_EQ(ps_world_require_solver(w, "x", NULL), PS_ERR_INVALID);
        o.name = "dog3";
        o.solver.min_iterations = PS_WORLD_MAX_ITERATIONS + 1;
        CHECK(!ps_robot_valid(w, ps_robot_from_urdf(w, m, &o)));
        CHECK(strstr(ps_world_last_error(w), "min_iterations") != NULL);
        // Stepping at the adopted count works.
        for (int i = 0; i < 10; i++) CHECK_EQ(ps_world_step(w), PS_OK);
        ps_world_destroy(w);
    }
    // An assembled robot declares nothing by default.
    ps_world *w = world(0.002, 20);
    ps_body_def bd = ps_default_body_def();
    bd.name = "base";
    ps_body_id b = ps_body_create(w, &bd);
    ps_robot_def rd = {.name = "one", .links = &b, .link_count = 1};
    CHECK(ps_robot_valid(w, ps_robot_create(w, &rd)));
    ps_solver_settings st;
    ps_world_solver_settings(w, &st);
    CHECK_EQ(st.iterations, 20);
    CHECK_EQ(st.need_iterations, 0);
    rd.name = "two";
    rd.solver = (ps_solver_need){-2, 0, 0};
    CHECK(!ps_robot_valid(w, ps_robot_create(w, &rd)));
    ps_world_destroy(w);
    // The direct solver (no iterations) meets every iteration need and checks the
    // timestep against direct_max_timestep where one is declared.
    warn_log log = {0};
    ps_world_def d = ps_default_world_def();
    d.timestep = 0.005;
    d.iterations = 12;
    d.iterations_fixed = true;
    d.solver = PS_SOLVER_DIRECT;
    d.log = (ps_logger){count_warnings, &log};
    w = ps_world_create(&d, err, sizeof err);
    if (!CHECK(w != NULL)) return;
    ps_solver_need walker = {100, 0.003, 0.005}, plain = {50, 0.002, 0};
    CHECK_EQ(ps_world_require_solver(w, "walker", &walker), PS_OK);
    CHECK_EQ(log.n, 0);
    ps_world_solver_settings(w, &st);
    CHECK_EQ(st.solver, PS_SOLVER_DIRECT);
    CHECK_EQ(st.need_iterations, 100);
    CHECK_NEAR(st.need_timestep, 0.005, 0);
    CHECK(strcmp(ps_solver_kind_name(st.solver), "direct") == 0);
    CHECK_EQ(ps_world_require_solver(w, "plain", &plain), PS_OK);
    CHECK_EQ(log.n, 1); // its 0.002 s applies: 0.005 is above it; its iterations are met
    CHECK(strstr(log.last, "0.002 s robot 'plain' is measured at with the direct solver") != NULL);
    for (int i = 0; i < 10; i++) CHECK_EQ(ps_world_step(w), PS_OK);
    ps_world_destroy(w);
    d.solver = (ps_solver_kind)7;
    CHECK(ps_world_create(&d, err, sizeof err) == NULL);
    CHECK(strstr(err, "solver must be quickstep or direct") != NULL);
    ps_urdf_free(m);
}

static void test_armature(void)
{
    // Torque-driven hinge (a 1 kg, 0.5 m rod about its end, I = 1/12 m L^2 +
    // m (L/2)^2 = 0.0833 kg m^2 about the axis) with armature 0.05 and a
    // rotor of 1e-4 kg m^2 behind a 10:1 gear (adds 0.01): q'' = tau / (I + 0.06).
    // A slider (2 kg block) with armature 3 kg under gravity along it: a = F / 5
    // (gravity acts on the block's 2 kg only). ps_body_get_mass reports the
    // links' own masses.
    ps_world_def wd = ps_default_world_def();
    wd.gravity = (ps_vec3){0, 0, 0};
    ps_world *w = ps_world_create(&wd, err, sizeof err);
    ps_body_def bd = ps_default_body_def();
    bd.name = "rod";
    bd.pose = ps_pose_identity();
    bd.pose.p = (ps_vec3){0.25, 0, 1};
    ps_body_id rod = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = (ps_vec3){0.5, 0.02, 0.02};
    g.density = 1.0 / (0.5 * 0.02 * 0.02);
    ps_geom_create(w, rod, &g);
    bd.name = "block";
    bd.pose.p = (ps_vec3){3, 0, 1};
    ps_body_id blk = ps_body_create(w, &bd);
    g.size = (ps_vec3){0.1, 0.1, 0.1};
    g.density = 2000;
    ps_geom_create(w, blk, &g);
    ps_joint_def h = ps_default_joint_def(PS_JOINT_HINGE);
    h.body1 = rod;
    h.anchor = (ps_vec3){0, 0, 1};
    h.axis = (ps_vec3){0, 0, 1};
    ps_joint_def sl = ps_default_joint_def(PS_JOINT_SLIDER);
    sl.body1 = blk;
    sl.axis = (ps_vec3){0, 0, 1};
    ps_actuator_def a = ps_default_actuator_def();
    a.mode = PS_ACT_TORQUE;
    a.armature = 0.05;
    a.rotor_inertia = 1e-4;
    a.gear = 10;
    ps_actuator_def b = ps_default_actuator_def();
    b.mode = PS_ACT_TORQUE;
    b.armature = 3;
    ps_robot_joint_def jd[2] = {
        {.joint = ps_joint_create(w, &h), .actuator = a, .mimic = -1, .mimic_multiplier = 1},
        {.joint = ps_joint_create(w, &sl), .actuator = b, .mimic = -1, .mimic_multiplier = 1},
    };
    ps_body_id links[2] = {rod, blk};
    ps_robot_def rd = {.name = "arm", .links = links, .link_count = 2, .joints = jd, .joint_count = 2};
    ps_robot_id r = ps_robot_create(w, &rd);
    CHECK(ps_robot_valid(w, r));
    ps_robot_set_command(w, r, 0, 0.01); // 0.1 N m at the joint
    ps_robot_set_command(w, r, 1, 10);   // 10 N
    for (int i = 0; i < 250; i++) CHECK_EQ(ps_world_step(w), PS_OK); // 0.5 s
    double qd[2];
    ps_robot_velocities(w, r, qd);
    const double I = 1.0 / 12 * 0.25 + 0.0625;
    if (!CHECK_REL(qd[0], 0.1 / (I + 0.06) * 0.5, 0.002)) NOTE("hinge rate %g, want %g", qd[0], 0.1 / (I + 0.06) * 0.5);
    if (!CHECK_REL(qd[1], 10.0 / 5 * 0.5, 0.002)) NOTE("slider rate %g, want %g", qd[1], 1.0);
    double m;
    ps_body_get_mass(w, blk, &m, NULL, NULL);
    CHECK_NEAR(m, 2, 1e-9);
    ps_world_destroy(w);
}

// A 3-link arm about z (no gravity torque on the joints): link1 on a revolute
// joint with limits, link2 on a continuous joint, link3 mimicking joint 1.
static const char *ARM_URDF =
    "<robot name='arm'>\n"
    " <link name='base'><inertial><mass value='1'/><inertia ixx='0.01' iyy='0.01' izz='0.01' ixy='0' ixz='0' iyz='0'/></inertial></link>\n"
    " <link name='l1'><inertial><origin xyz='0.25 0 0'/><mass value='2'/><inertia ixx='0.001' iyy='0.04' izz='0.04' ixy='0' ixz='0' iyz='0'/></inertial>\n"
    "  <collision><origin xyz='0.25 0 0'/><geometry><box size='0.5 0.05 0.05'/></geometry></collision></link>\n"
    " <link name='l2'><inertial><origin xyz='0.1 0 0'/><mass value='1'/><inertia ixx='0.001' iyy='0.004' izz='0.004' ixy='0' ixz='0' iyz='0'/></inertial></link>\n"
    " <link name='l3'><inertial><mass value='0.5'/><inertia ixx='0.001' iyy='0.001' izz='0.001' ixy='0' ixz='0' iyz='0'/></inertial></link>\n"
    " <joint name='j1' type='revolute'><parent link='base'/><child link='l1'/><axis xyz='0 0 1'/>\n"
    "  <limit lower='-1' upper='1' effort='50' velocity='3'/></joint>\n"
    " <joint name='j2' type='continuous'><parent link='l1'/><child link='l2'/><origin xyz='0.5 0 0'/><axis xyz='0 0 1'/>\n"
    "  <limit effort='5' velocity='10'/></joint>\n"
    " <joint name='j3' type='revolute'><parent link='l2'/><child link='l3'/><origin xyz='0.2 0 0'/><axis xyz='0 0 1'/>\n"
    "  <limit lower='-2' upper='2' effort='50' velocity='10'/><mimic joint='j1' multiplier='-0.5' offset='0.1'/></joint>\n"
    "</robot>\n";

static void test_actuators(void)
{
    FILE *f = fopen("arm.urdf", "w");
    if (!f) return;
    fputs(ARM_URDF, f);
    fclose(f);
    ps_actuator_def a = ps_default_actuator_def();
    a.mode = PS_ACT_POSITION;
    a.kp = 200;
    a.kd = 4;
    ps_urdf_model *m;
    ps_robot_id r;
    ps_world *w = robot_world("arm.urdf", 0.001, 50, true, a, &r, &m);
    if (!CHECK(w != NULL)) return;
    CHECK_EQ(ps_robot_joint_count(w, r), 3);
    ps_actuator_def got;
    ps_robot_get_actuator(w, r, 0, &got);
    CHECK_NEAR(got.effort_limit, 50, 0); // from the URDF <limit>
    CHECK_NEAR(got.velocity_limit, 3, 0);
    // Clamping: a target beyond the limit is clamped and counted.
    CHECK_EQ(ps_robot_set_command(w, r, 0, 2.5), PS_OK);
    CHECK_NEAR(ps_robot_command(w, r, 0), 1.0, 0);
    CHECK_EQ(ps_robot_clamp_count(w, r, 0), 1);
    CHECK_EQ(ps_robot_set_command(w, r, 0, 0.5), PS_OK);
    CHECK_EQ(ps_robot_clamp_count(w, r, 0), 1);
    // Non-finite commands are refused, naming the actuator; mimic joints take none.
    CHECK_EQ(ps_robot_set_command(w, r, 0, NAN), PS_ERR_INVALID);
    CHECK_HAS(ps_world_last_error(w), "actuator 'j1'");
    CHECK_EQ(ps_robot_set_command(w, r, 2, 0.3), PS_ERR_INVALID);
    CHECK_HAS(ps_world_last_error(w), "mimics");
    // Implicit PD = spring-damper: link1 (I = 0.04 + 2 * 0.25^2 = 0.165 kg m^2
    // about the joint, with l2, l3 adding 1 * 0.6^2 + 0.5 * 0.7^2 + their own)
    // reaches 0.5 rad and stays; the mimic follows q3 = -0.5 q1 + 0.1.
    ps_robot_set_command(w, r, 1, 0.0);
    for (int i = 0; i < 3000; i++) ps_world_step(w);
    double q[3], qd[3];
    ps_robot_positions(w, r, q);
    ps_robot_velocities(w, r, qd);
    CHECK_NEAR(q[0], 0.5, 1e-3);
    CHECK_NEAR(q[1], 0.0, 1e-3);
    CHECK_NEAR(q[2], -0.5 * q[0] + 0.1, 1e-3);
    CHECK_NEAR(qd[0], 0, 5e-3);
    // Torque mode with a gear: joint torque = gear * command, clamped to the effort limit.
    ps_actuator_def t = ps_default_actuator_def();
    t.mode = PS_ACT_TORQUE;
    t.gear = 2;
    t.effort_limit = 1.0;
    CHECK_EQ(ps_robot_set_actuator(w, r, 1, &t), PS_OK);
    CHECK_EQ(ps_robot_set_command(w, r, 1, 3.0), PS_OK); // clamped to 1 N m motor torque
    CHECK_EQ(ps_robot_clamp_count(w, r, 1), 1);
    ps_world_step(w);
    double tau[3];
    ps_robot_efforts(w, r, tau);
    CHECK_NEAR(tau[1], 2.0, 1e-3); // 2 x 1 N m at the joint (plus solver residue)
    // Velocity servo: the rate reaches its target within the effort limit.
    ps_actuator_def v = ps_default_actuator_def();
    v.mode = PS_ACT_VELOCITY;
    v.effort_limit = 5;
    CHECK_EQ(ps_robot_set_actuator(w, r, 1, &v), PS_OK);
    CHECK_EQ(ps_robot_set_command(w, r, 1, 2.0), PS_OK);
    for (int i = 0; i < 500; i++) ps_world_step(w);
    ps_robot_velocities(w, r, qd);
    CHECK_NEAR(qd[1], 2.0, 1e-3);
    // Bad actuator definitions are refused with the actuator's name.
    ps_actuator_def bad = ps_default_actuator_def();
    bad.mode = PS_ACT_POSITION; // kp 0
    CHECK_EQ(ps_robot_set_actuator(w, r, 0, &bad), PS_ERR_INVALID);
    CHECK_HAS(ps_world_last_error(w), "actuator 'j1': a position servo needs kp > 0");
    ps_world_destroy(w);
    ps_urdf_free(m);
}

static void test_pd_is_spring_damper(void)
{
    // One link, no gravity, undamped PD (kd small): oscillates at
    // sqrt(kp / I); measured period within 2% (implicit integration lengthens
    // it slightly at this timestep).
    const char *urdf = "<robot name='osc'><link name='b'/>"
                       "<link name='l'><inertial><mass value='1'/><inertia ixx='0.5' iyy='0.5' izz='0.5' ixy='0' ixz='0' iyz='0'/></inertial></link>"
                       "<joint name='j' type='continuous'><parent link='b'/><child link='l'/><axis xyz='0 0 1'/></joint></robot>";
    FILE *f = fopen("osc.urdf", "w");
    if (!f) return;
    fputs(urdf, f);
    fclose(f);
    ps_actuator_def a = ps_default_actuator_def();
    a.mode = PS_ACT_POSITION;
    a.kp = 50;
    a.kd = 1e-6;
    ps_urdf_model *m;
    ps_robot_id r;
    ps_world *w = robot_world("osc.urdf", 0.0005, 20, true, a, &r, &m);
    if (!CHECK(w != NULL)) return;
    ps_robot_set_command(w, r, 0, 0.2);
    double prev = 0, t_first = -1, t_last = -1;
    int crossings = 0;
    for (int i = 1; i <= 20000; i++) {
        ps_world_step(w);
        double q;
        ps_robot_positions(w, r, &q);
        double e = q - 0.2;
        if (i > 1 && prev < 0 && e >= 0) {
            double t = i * 0.0005;
            if (t_first < 0) t_first = t;
            t_last = t;
            crossings++;
        }
        prev = e;
    }
    double period = (t_last - t_first) / (crossings - 1), want = 2 * M_PI * sqrt(0.5 / 50);
    printf("pd: period %.5f s, spring-mass %.5f s\n", period, want);
    CHECK(crossings > 5);
    CHECK_REL(period, want, 0.02);
    ps_world_destroy(w);
    ps_urdf_free(m);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_structure_and_mass);
    RUN(test_double_pendulum_energy);
    RUN(test_ur5_holds_pose);
    RUN(test_go2_stands);
    RUN(test_limits_beyond_pi);
    RUN(test_light_finger_grasp);
    RUN(test_solver_needs);
    RUN(test_armature);
    RUN(test_actuators);
    RUN(test_pd_is_spring_damper);
    return TEST_DONE();
}
