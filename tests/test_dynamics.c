// Tests of the dynamics API (dynamics.h) on the shared robots (UR5, Go2 with
// its base held, Solo12): Jacobians against finite differences of the
// forward kinematics; the mass matrix against inverse dynamics (its columns
// are tau(qdd = e_j) - tau(0)) and the kinetic energy; gravity torques
// against the gradient of the potential energy; bias torques against the
// Lagrangian (M' qd - dT/dq + g); a UR5 held still by gravity compensation
// alone; IK reaching poses within limits.
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/dynamics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif
#define ROBOTS PILOTSIM_SOURCE_DIR "/assets/example-robot-data/robots/"
#define MAXN 16

static char err[PS_ERR_LEN];

typedef struct fixture {
    ps_urdf_model *m;
    ps_world *w;
    ps_robot_id r;
    size_t n, nl;
} fixture;

static bool load(fixture *f, const char *file, bool fixed, double gravity)
{
    memset(f, 0, sizeof *f);
    ps_urdf_options o = ps_urdf_default_options();
    ps_urdf_options_add_package_path(&o, PILOTSIM_SOURCE_DIR "/assets");
    f->m = ps_urdf_load(file, &o, err, sizeof err);
    ps_urdf_options_clear(&o);
    if (!f->m) {
        NOTE("%s", err);
        return false;
    }
    ps_world_def wd = ps_default_world_def();
    wd.gravity = (ps_vec3){0, 0, -gravity};
    f->w = ps_world_create(&wd, err, sizeof err);
    ps_urdf_build_options bo = ps_default_urdf_build_options();
    bo.fixed_base = fixed;
    bo.base.p = (ps_vec3){0.1, -0.2, 0.5};
    bo.base.q = (ps_quat){cos(0.2), 0, 0, sin(0.2)};
    f->r = ps_robot_from_urdf(f->w, f->m, &bo);
    if (!ps_robot_valid(f->w, f->r)) {
        NOTE("%s", ps_world_last_error(f->w));
        return false;
    }
    f->n = ps_robot_joint_count(f->w, f->r);
    f->nl = ps_robot_link_count(f->w, f->r);
    return f->n <= MAXN;
}

static void unload(fixture *f)
{
    ps_world_destroy(f->w);
    ps_urdf_free(f->m);
}

// A configuration inside the limits, different per joint.
static void some_q(const fixture *f, double *q, double phase)
{
    for (size_t i = 0; i < f->n; i++) {
        double lo = -1, hi = 1;
        if (ps_robot_joint_limits(f->w, f->r, i, &lo, &hi) != PS_OK) lo = -1, hi = 1;
        lo = fmax(lo, -3), hi = fmin(hi, 3);
        q[i] = lo + (hi - lo) * (0.5 + 0.35 * sin(1.7 * (double)i + phase));
    }
}

static ps_quat qmul(ps_quat a, ps_quat b)
{
    return (ps_quat){a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z, a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                     a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x, a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w};
}

static ps_pose ps_pose_mul_pub(ps_pose a, ps_pose b)
{
    ps_quat v = {0, b.p.x, b.p.y, b.p.z}, ac = {a.q.w, -a.q.x, -a.q.y, -a.q.z};
    ps_quat r = qmul(qmul(a.q, v), ac);
    return (ps_pose){{a.p.x + r.x, a.p.y + r.y, a.p.z + r.z}, qmul(a.q, b.q)};
}

static ps_vec3 point_world(ps_pose p, ps_vec3 local)
{
    ps_pose l = {local, {1, 0, 0, 0}};
    ps_pose x = ps_pose_mul_pub(p, l);
    return x.p;
}

// Rotation vector of b a^-1 (small).
static ps_vec3 rotvec(ps_quat a, ps_quat b)
{
    ps_quat ai = {a.w, -a.x, -a.y, -a.z};
    ps_pose pa = {{0, 0, 0}, b}, pb = {{0, 0, 0}, ai};
    ps_quat e = ps_pose_mul_pub(pa, pb).q;
    if (e.w < 0) e = (ps_quat){-e.w, -e.x, -e.y, -e.z};
    return (ps_vec3){2 * e.x, 2 * e.y, 2 * e.z};
}

static void test_jacobian_fd(const char *file, bool fixed)
{
    fixture f;
    if (!CHECK(load(&f, file, fixed, 9.81))) return;
    double q[MAXN], qp[MAXN], qm[MAXN], J[6 * MAXN];
    ps_pose *pp = calloc(f.nl, sizeof *pp), *pm = calloc(f.nl, sizeof *pm);
    some_q(&f, q, 0.3);
    const ps_vec3 pt = {0.03, -0.02, 0.05};
    const double eps = 1e-6;
    double worst = 0;
    for (size_t l = 0; l < f.nl; l++) {
        CHECK_EQ(ps_robot_jacobian(f.w, f.r, q, l, pt, J), PS_OK);
        for (size_t j = 0; j < f.n; j++) {
            memcpy(qp, q, sizeof q);
            memcpy(qm, q, sizeof q);
            qp[j] += eps;
            qm[j] -= eps;
            ps_robot_forward_kinematics(f.w, f.r, qp, pp);
            ps_robot_forward_kinematics(f.w, f.r, qm, pm);
            ps_vec3 a = point_world(pp[l], pt), b = point_world(pm[l], pt);
            ps_vec3 r = rotvec(pm[l].q, pp[l].q);
            double fd[6] = {(a.x - b.x) / (2 * eps), (a.y - b.y) / (2 * eps), (a.z - b.z) / (2 * eps),
                            r.x / (2 * eps), r.y / (2 * eps), r.z / (2 * eps)};
            for (int k = 0; k < 6; k++) worst = fmax(worst, fabs(fd[k] - J[(size_t)k * f.n + j]));
        }
    }
    printf("%s: Jacobian vs finite differences, worst %.2e\n", strrchr(file, '/') + 1, worst);
    CHECK(worst < 1e-6);
    free(pp);
    free(pm);
    unload(&f);
}

// Kinetic energy 1/2 qd^T M qd.
static double kinetic(const fixture *f, const double *q, const double *qd)
{
    double M[MAXN * MAXN], T = 0;
    ps_robot_mass_matrix(f->w, f->r, q, M);
    for (size_t a = 0; a < f->n; a++)
        for (size_t b = 0; b < f->n; b++) T += 0.5 * qd[a] * M[a * f->n + b] * qd[b];
    return T;
}

// Potential energy of the robot's bodies (m g z of their centres of mass) at q.
static double potential(const fixture *f, const double *q)
{
    ps_pose *p = calloc(f->nl, sizeof *p);
    ps_robot_forward_kinematics(f->w, f->r, q, p);
    double U = 0;
    for (size_t l = 0; l < f->nl; l++) {
        ps_body_id b = ps_robot_link_body(f->w, f->r, l);
        if (ps_body_get_kind(f->w, b) != PS_BODY_DYNAMIC || l != (size_t)ps_robot_link_index(f->w, f->r, ps_robot_link_name(f->w, f->r, l)))
            continue;
        ps_pose bp, lp;
        ps_body_get_pose(f->w, b, &bp);
        ps_robot_link_pose(f->w, f->r, l, &lp);
        if (fabs(bp.p.x - lp.p.x) + fabs(bp.p.y - lp.p.y) + fabs(bp.p.z - lp.p.z) > 1e-12) continue; // merged link
        double m;
        ps_vec3 c;
        ps_body_get_mass(f->w, b, &m, &c, NULL);
        U += m * 9.81 * point_world(p[l], c).z;
    }
    free(p);
    return U;
}

static void test_dynamics_consistency(const char *file, bool fixed)
{
    fixture f;
    if (!CHECK(load(&f, file, fixed, 9.81))) return;
    size_t n = f.n;
    double q[MAXN], qd[MAXN], M[MAXN * MAXN], tau0[MAXN], tau1[MAXN], e[MAXN], g[MAXN], bias[MAXN];
    some_q(&f, q, 1.1);
    for (size_t i = 0; i < n; i++) qd[i] = 0.7 * cos(0.9 * (double)i + 0.4);
    CHECK_EQ(ps_robot_mass_matrix(f.w, f.r, q, M), PS_OK);
    // Symmetric, positive diagonal; columns from inverse dynamics.
    double worst_col = 0, worst_sym = 0, scale = 0;
    CHECK_EQ(ps_robot_inverse_dynamics(f.w, f.r, q, NULL, NULL, tau0), PS_OK);
    for (size_t j = 0; j < n; j++) {
        memset(e, 0, sizeof e);
        e[j] = 1;
        ps_robot_inverse_dynamics(f.w, f.r, q, NULL, e, tau1);
        for (size_t i = 0; i < n; i++) {
            worst_col = fmax(worst_col, fabs(tau1[i] - tau0[i] - M[i * n + j]));
            worst_sym = fmax(worst_sym, fabs(M[i * n + j] - M[j * n + i]));
            scale = fmax(scale, fabs(M[i * n + j]));
        }
        CHECK(M[j * n + j] > 0);
    }
    // Gravity torques = dU/dq.
    CHECK_EQ(ps_robot_gravity_torques(f.w, f.r, q, g), PS_OK);
    double worst_g = 0, gscale = 0, h = 1e-6;
    for (size_t j = 0; j < n; j++) {
        double qp[MAXN], qm[MAXN];
        memcpy(qp, q, sizeof q);
        memcpy(qm, q, sizeof q);
        qp[j] += h;
        qm[j] -= h;
        double dU = (potential(&f, qp) - potential(&f, qm)) / (2 * h);
        worst_g = fmax(worst_g, fabs(dU - g[j]));
        gscale = fmax(gscale, fabs(g[j]));
    }
    // Bias = M' qd - dT/dq + g (Lagrange, qdd = 0).
    CHECK_EQ(ps_robot_bias_torques(f.w, f.r, q, qd, bias), PS_OK);
    double Mp[MAXN * MAXN], Mm[MAXN * MAXN], qp[MAXN], qm[MAXN], worst_b = 0, bscale = 0;
    for (size_t i = 0; i < n; i++) qp[i] = q[i] + h * qd[i], qm[i] = q[i] - h * qd[i];
    ps_robot_mass_matrix(f.w, f.r, qp, Mp);
    ps_robot_mass_matrix(f.w, f.r, qm, Mm);
    for (size_t i = 0; i < n; i++) {
        double mdot = 0;
        for (size_t j = 0; j < n; j++) mdot += (Mp[i * n + j] - Mm[i * n + j]) / (2 * h) * qd[j];
        double a[MAXN], b[MAXN];
        memcpy(a, q, sizeof q);
        memcpy(b, q, sizeof q);
        a[i] += h;
        b[i] -= h;
        double dT = (kinetic(&f, a, qd) - kinetic(&f, b, qd)) / (2 * h);
        double want = mdot - dT + g[i];
        worst_b = fmax(worst_b, fabs(want - bias[i]));
        bscale = fmax(bscale, fabs(bias[i]));
    }
    printf("%s: M from inverse dynamics %.1e, symmetry %.1e (|M| %.3g); gravity vs dU/dq %.1e (|g| %.3g); bias vs "
           "Lagrangian %.1e (|bias| %.3g)\n",
           strrchr(file, '/') + 1, worst_col, worst_sym, scale, worst_g, gscale, worst_b, bscale);
    CHECK(worst_col < 1e-9 * fmax(1, scale));
    CHECK(worst_sym < 1e-12 * fmax(1, scale));
    CHECK(worst_g < 1e-5 * fmax(1, gscale));
    CHECK(worst_b < 1e-5 * fmax(1, bscale));
    unload(&f);
}

static void test_gravity_compensation(void)
{
    // UR5 with torque actuators commanded to ps_robot_gravity_torques every
    // step: it stays where it was put (within 0.03 rad over 2 s); without the
    // torques it falls.
    fixture f;
    if (!CHECK(load(&f, ROBOTS "ur_description/urdf/ur5_robot.urdf", true, 9.81))) return;
    double q0[MAXN], q[MAXN], g[MAXN];
    some_q(&f, q0, 0.5);
    ps_actuator_def a = ps_default_actuator_def();
    a.mode = PS_ACT_TORQUE;
    for (size_t i = 0; i < f.n; i++) ps_robot_set_actuator(f.w, f.r, i, &a);
    ps_robot_set_positions(f.w, f.r, q0);
    double drift = 0;
    for (int s = 0; s < 1000; s++) {
        ps_robot_gravity_torques(f.w, f.r, NULL, g);
        for (size_t i = 0; i < f.n; i++) ps_robot_set_command(f.w, f.r, i, g[i]);
        CHECK_EQ(ps_world_step(f.w), PS_OK);
    }
    ps_robot_positions(f.w, f.r, q);
    for (size_t i = 0; i < f.n; i++) drift = fmax(drift, fabs(q[i] - q0[i]));
    printf("ur5 gravity compensation: worst joint drift %.2e rad over 2 s\n", drift);
    CHECK(drift < 0.03); // open loop: QuickStep's constraint error is never corrected
    for (size_t i = 0; i < f.n; i++) ps_robot_set_command(f.w, f.r, i, 0);
    for (int s = 0; s < 250; s++) ps_world_step(f.w);
    ps_robot_positions(f.w, f.r, q);
    double fell = 0;
    for (size_t i = 0; i < f.n; i++) fell = fmax(fell, fabs(q[i] - q0[i]));
    CHECK(fell > 0.1);
    unload(&f);
}

static void test_ik(void)
{
    // UR5: targets that a known configuration reaches (so reachable), from a
    // different start; the solution reaches them within tolerance and within
    // limits. An unreachable target (5 m away) returns converged = false.
    fixture f;
    if (!CHECK(load(&f, ROBOTS "ur_description/urdf/ur5_robot.urdf", true, 9.81))) return;
    int tool = ps_robot_link_index(f.w, f.r, "tool0");
    if (!CHECK(tool >= 0)) return;
    double qt[MAXN], q0[MAXN], q[MAXN];
    ps_pose *p = calloc(f.nl, sizeof *p);
    int ok = 0;
    for (int k = 0; k < 5; k++) {
        some_q(&f, qt, 0.8 * k);
        for (size_t i = 0; i < f.n; i++) q0[i] = qt[i] + 0.3 * sin(2.3 * (double)i + k);
        ps_robot_forward_kinematics(f.w, f.r, qt, p);
        ps_ik_result res;
        CHECK_EQ(ps_robot_ik(f.w, f.r, (size_t)tool, (ps_vec3){0, 0, 0}, p[tool], q0, NULL, q, &res), PS_OK);
        ok += res.converged;
        ps_pose *pq = calloc(f.nl, sizeof *pq);
        ps_robot_forward_kinematics(f.w, f.r, q, pq);
        double dp = sqrt(pow(pq[tool].p.x - p[tool].p.x, 2) + pow(pq[tool].p.y - p[tool].p.y, 2) +
                         pow(pq[tool].p.z - p[tool].p.z, 2));
        if (res.converged) CHECK(dp <= 1e-4 + 1e-12);
        for (size_t i = 0; i < f.n; i++) {
            double lo, hi;
            if (ps_robot_joint_limits(f.w, f.r, i, &lo, &hi) == PS_OK) CHECK(q[i] >= lo && q[i] <= hi);
        }
        printf("ik %d: converged %d in %d iterations, position error %.2e m, rotation %.2e rad\n", k, res.converged,
               res.iterations, res.position_error, res.rotation_error);
        free(pq);
    }
    CHECK(ok == 5);
    ps_pose far = p[tool];
    far.p.x += 5;
    ps_ik_result res;
    CHECK_EQ(ps_robot_ik(f.w, f.r, (size_t)tool, (ps_vec3){0, 0, 0}, far, NULL, NULL, q, &res), PS_OK);
    CHECK(!res.converged && res.position_error > 3);
    free(p);
    unload(&f);
}

static void test_errors(void)
{
    fixture f;
    if (!CHECK(load(&f, ROBOTS "ur_description/urdf/ur5_robot.urdf", true, 9.81))) return;
    double J[6 * MAXN], q[MAXN] = {0}, M[MAXN * MAXN];
    CHECK_EQ(ps_robot_jacobian(f.w, f.r, NULL, 999, (ps_vec3){0, 0, 0}, J), PS_ERR_INVALID);
    q[2] = NAN;
    CHECK_EQ(ps_robot_mass_matrix(f.w, f.r, q, M), PS_ERR_INVALID);
    CHECK_EQ(ps_robot_mass_matrix(f.w, PS_ROBOT_NONE, NULL, M), PS_ERR_STALE);
    unload(&f);
}

int main(void)
{
    RUN(test_errors);
    test_jacobian_fd(ROBOTS "ur_description/urdf/ur5_robot.urdf", true);
    test_jacobian_fd(ROBOTS "go2_description/urdf/go2.urdf", false);
    test_dynamics_consistency(ROBOTS "ur_description/urdf/ur5_robot.urdf", true);
    test_dynamics_consistency(ROBOTS "go2_description/urdf/go2.urdf", false);
    test_dynamics_consistency(ROBOTS "solo_description/robots/solo12.urdf", true);
    RUN(test_gravity_compensation);
    RUN(test_ik);
    return TEST_DONE();
}
