// Joint-space dynamics of URDF robots: forward kinematics over the robot's
// kinematic tree, geometric Jacobians, the mass matrix (sum over links of
// their Jacobians' contributions), recursive Newton-Euler in the world frame,
// and damped-least-squares IK.
#include "world_internal.h"
#include "pilotsim/dynamics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct { double m[9]; } mat3; // row-major

// Per-link state at one configuration, world frame.
typedef struct link_state {
    ps_pose pose;      // link frame
    ps_vec3 axis;      // joint axis (unit), if the link has a moving joint
    double mass;       // of the body whose frame this link is (0 for merged links)
    ps_vec3 com;       // world
    mat3 I;            // world-frame inertia about the COM
} link_state;

// Scratch for one call.
typedef struct dyn {
    const ps_world *w;
    const ps_robot_slot *r;
    size_t nl, nj;
    link_state *ls;
    double *q;
} dyn;

static ps_vec3 mvmul(const mat3 *A, ps_vec3 v)
{
    const double *m = A->m;
    return ps_v3(m[0] * v.x + m[1] * v.y + m[2] * v.z, m[3] * v.x + m[4] * v.y + m[5] * v.z,
              m[6] * v.x + m[7] * v.y + m[8] * v.z);
}

static void quat_to_mat(ps_quat q, double R[9])
{
    double w = q.w, x = q.x, y = q.y, z = q.z;
    R[0] = 1 - 2 * (y * y + z * z); R[1] = 2 * (x * y - w * z);     R[2] = 2 * (x * z + w * y);
    R[3] = 2 * (x * y + w * z);     R[4] = 1 - 2 * (x * x + z * z); R[5] = 2 * (y * z - w * x);
    R[6] = 2 * (x * z - w * y);     R[7] = 2 * (y * z + w * x);     R[8] = 1 - 2 * (x * x + y * y);
}

static ps_quat axis_angle(ps_vec3 a, double angle)
{
    double s = sin(angle / 2);
    return (ps_quat){cos(angle / 2), a.x * s, a.y * s, a.z * s};
}

static bool identity_offset(const ps_robot_link *l)
{
    return l->offset.p.x == 0 && l->offset.p.y == 0 && l->offset.p.z == 0 && l->offset.q.w == 1;
}

static void dyn_free(dyn *d)
{
    free(d->ls);
    free(d->q);
}

// Checks the robot, copies q (or reads the current one) and computes every
// link's pose, axis and world-frame mass properties.
static ps_status dyn_init(dyn *d, const ps_world *w, ps_robot_id id, const double *q)
{
    memset(d, 0, sizeof *d);
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (!r) return PS_ERR_STALE;
    if (!r->kin_parent) return PS_ERR_STATE;
    d->w = w;
    d->r = r;
    d->nl = r->link_count;
    d->nj = r->joint_count;
    d->ls = calloc(d->nl, sizeof *d->ls);
    d->q = calloc(d->nj ? d->nj : 1, sizeof *d->q);
    if (!d->ls || !d->q) {
        dyn_free(d);
        return PS_ERR_NOMEM;
    }
    if (q) {
        for (size_t i = 0; i < d->nj; i++) {
            if (!isfinite(q[i])) {
                dyn_free(d);
                return PS_ERR_INVALID;
            }
            d->q[i] = q[i];
        }
    } else if (ps_robot_positions(w, id, d->q) != PS_OK) {
        dyn_free(d);
        return PS_ERR_STALE;
    }
    for (size_t k = 0; k < d->nl; k++) {
        int l = r->kin_order[k], p = r->kin_parent[l], j = r->kin_joint[l];
        link_state *s = &d->ls[l];
        if (p < 0) {
            ps_pose bp;
            ps_body_get_pose(w, r->links[l].body, &bp);
            s->pose = ps_pose_mul(bp, r->links[l].offset);
        } else {
            ps_pose t = r->kin_origin[l];
            if (j >= 0) {
                if (r->kin_prismatic[l]) {
                    ps_vec3 dd = ps_quat_rotate(t.q, r->kin_axis[l]);
                    t.p = ps_v3_add(t.p, ps_v3_scale(dd, d->q[j]));
                } else {
                    t.q = ps_quat_mul(t.q, axis_angle(r->kin_axis[l], d->q[j]));
                }
            }
            s->pose = ps_pose_mul(d->ls[p].pose, t);
        }
        s->axis = ps_quat_rotate(s->pose.q, r->kin_axis[l]);
        // Mass: the body whose frame this link is (merged links are part of it).
        if (identity_offset(&r->links[l]) && ps_body_get_kind(w, r->links[l].body) == PS_BODY_DYNAMIC) {
            double m, I6[6];
            ps_vec3 c;
            ps_body_get_mass(w, r->links[l].body, &m, &c, I6);
            s->mass = m;
            s->com = ps_v3_add(s->pose.p, ps_quat_rotate(s->pose.q, c));
            double R[9], Il[9] = {I6[0], I6[3], I6[4], I6[3], I6[1], I6[5], I6[4], I6[5], I6[2]}, T[9];
            quat_to_mat(s->pose.q, R);
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    T[3 * a + b] = 0;
                    for (int c2 = 0; c2 < 3; c2++) T[3 * a + b] += R[3 * a + c2] * Il[3 * c2 + b];
                }
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    double v = 0;
                    for (int c2 = 0; c2 < 3; c2++) v += T[3 * a + c2] * R[3 * b + c2];
                    s->I.m[3 * a + b] = v;
                }
        }
    }
    return PS_OK;
}

// Jacobian of a world point P on link L into J (6 x n, zeroed first).
static void jacobian_at(const dyn *d, int L, ps_vec3 P, double *J)
{
    size_t n = d->nj;
    memset(J, 0, 6 * n * sizeof *J);
    for (int k = L; k >= 0; k = d->r->kin_parent[k]) {
        int j = d->r->kin_joint[k];
        if (j < 0) continue;
        const link_state *s = &d->ls[k];
        ps_vec3 lin, ang = ps_v3(0, 0, 0);
        if (d->r->kin_prismatic[k]) {
            lin = s->axis;
        } else {
            lin = ps_v3_cross(s->axis, ps_v3_sub(P, s->pose.p));
            ang = s->axis;
        }
        J[0 * n + (size_t)j] = lin.x; J[1 * n + (size_t)j] = lin.y; J[2 * n + (size_t)j] = lin.z;
        J[3 * n + (size_t)j] = ang.x; J[4 * n + (size_t)j] = ang.y; J[5 * n + (size_t)j] = ang.z;
    }
}

ps_status ps_robot_forward_kinematics(const ps_world *w, ps_robot_id r, const double *q, ps_pose *out)
{
    if (!out) return PS_ERR_INVALID;
    dyn d;
    ps_status st = dyn_init(&d, w, r, q);
    if (st != PS_OK) return st;
    for (size_t l = 0; l < d.nl; l++) out[l] = d.ls[l].pose;
    dyn_free(&d);
    return PS_OK;
}

ps_status ps_robot_jacobian(const ps_world *w, ps_robot_id r, const double *q, size_t link, ps_vec3 point, double *J)
{
    if (!J || !ps_vec3_finite(point)) return PS_ERR_INVALID;
    dyn d;
    ps_status st = dyn_init(&d, w, r, q);
    if (st != PS_OK) return st;
    if (link >= d.nl) {
        dyn_free(&d);
        return PS_ERR_INVALID;
    }
    ps_vec3 P = ps_v3_add(d.ls[link].pose.p, ps_quat_rotate(d.ls[link].pose.q, point));
    jacobian_at(&d, (int)link, P, J);
    dyn_free(&d);
    return PS_OK;
}

ps_status ps_robot_mass_matrix(const ps_world *w, ps_robot_id r, const double *q, double *M)
{
    if (!M) return PS_ERR_INVALID;
    dyn d;
    ps_status st = dyn_init(&d, w, r, q);
    if (st != PS_OK) return st;
    size_t n = d.nj;
    double *J = malloc(6 * (n ? n : 1) * sizeof *J);
    if (!J) {
        dyn_free(&d);
        return PS_ERR_NOMEM;
    }
    memset(M, 0, n * n * sizeof *M);
    // M = sum over bodies of m Jv^T Jv + Jw^T I Jw, Jv at the centre of mass.
    for (size_t l = 0; l < d.nl; l++) {
        const link_state *s = &d.ls[l];
        if (!(s->mass > 0)) continue;
        jacobian_at(&d, (int)l, s->com, J);
        for (size_t a = 0; a < n; a++) {
            ps_vec3 va = ps_v3(J[a], J[n + a], J[2 * n + a]), wa = ps_v3(J[3 * n + a], J[4 * n + a], J[5 * n + a]);
            if (va.x == 0 && va.y == 0 && va.z == 0 && wa.x == 0 && wa.y == 0 && wa.z == 0) continue;
            ps_vec3 Iwa = mvmul(&s->I, wa);
            for (size_t b = 0; b <= a; b++) {
                ps_vec3 vb = ps_v3(J[b], J[n + b], J[2 * n + b]), wb = ps_v3(J[3 * n + b], J[4 * n + b], J[5 * n + b]);
                M[a * n + b] += s->mass * ps_v3_dot(va, vb) + ps_v3_dot(wb, Iwa);
            }
        }
    }
    for (size_t a = 0; a < n; a++) {
        const ps_actuator_def *act = &d.r->joints[a].act;
        M[a * n + a] += act->armature + act->rotor_inertia * act->gear * act->gear;
        for (size_t b = 0; b < a; b++) M[b * n + a] = M[a * n + b];
    }
    free(J);
    dyn_free(&d);
    return PS_OK;
}

// Recursive Newton-Euler in the world frame with the base fixed; gravity as
// a base acceleration of -g.
static ps_status rnea(const ps_world *w, ps_robot_id r, const double *q, const double *qd, const double *qdd,
                      bool current_qd, bool gravity, double *tau)
{
    if (!tau) return PS_ERR_INVALID;
    dyn d;
    ps_status st = dyn_init(&d, w, r, q);
    if (st != PS_OK) return st;
    size_t n = d.nj, nl = d.nl;
    double *v = calloc(2 * (n ? n : 1), sizeof *v);
    ps_vec3 *k = calloc(6 * nl, sizeof *k); // omega, omega dot, origin acc, force, torque, (spare)
    if (!v || !k) {
        free(v);
        free(k);
        dyn_free(&d);
        return PS_ERR_NOMEM;
    }
    double *QD = v, *QDD = v + n;
    if (qd) memcpy(QD, qd, n * sizeof *QD);
    else if (current_qd) ps_robot_velocities(w, r, QD);
    if (qdd) memcpy(QDD, qdd, n * sizeof *QDD);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(QD[i]) || !isfinite(QDD[i])) st = PS_ERR_INVALID;
    ps_vec3 *om = k, *omd = k + nl, *acc = k + 2 * nl, *F = k + 3 * nl, *N = k + 4 * nl;
    const ps_robot_slot *rs = d.r;
    ps_vec3 g = ps_world_get_def(w)->gravity;
    for (size_t o = 0; st == PS_OK && o < nl; o++) {
        int l = rs->kin_order[o], p = rs->kin_parent[l], j = rs->kin_joint[l];
        const link_state *s = &d.ls[l];
        if (p < 0) {
            om[l] = omd[l] = ps_v3(0, 0, 0);
            acc[l] = gravity ? ps_v3_scale(g, -1) : ps_v3(0, 0, 0);
        } else {
            ps_vec3 rr = ps_v3_sub(s->pose.p, d.ls[p].pose.p);
            double qdj = j >= 0 ? QD[j] : 0, qddj = j >= 0 ? QDD[j] : 0;
            ps_vec3 a = s->axis;
            acc[l] = ps_v3_add(acc[p], ps_v3_add(ps_v3_cross(omd[p], rr), ps_v3_cross(om[p], ps_v3_cross(om[p], rr))));
            if (j >= 0 && rs->kin_prismatic[l]) {
                om[l] = om[p];
                omd[l] = omd[p];
                acc[l] = ps_v3_add(acc[l], ps_v3_add(ps_v3_scale(ps_v3_cross(om[p], a), 2 * qdj), ps_v3_scale(a, qddj)));
            } else {
                om[l] = ps_v3_add(om[p], ps_v3_scale(a, qdj));
                omd[l] = ps_v3_add(ps_v3_add(omd[p], ps_v3_scale(a, qddj)), ps_v3_scale(ps_v3_cross(om[p], a), qdj));
            }
        }
        // The body's own force and torque about its centre of mass.
        if (s->mass > 0) {
            ps_vec3 c = ps_v3_sub(s->com, s->pose.p);
            ps_vec3 ac = ps_v3_add(acc[l], ps_v3_add(ps_v3_cross(omd[l], c), ps_v3_cross(om[l], ps_v3_cross(om[l], c))));
            F[l] = ps_v3_scale(ac, s->mass);
            ps_vec3 Iw = mvmul(&s->I, om[l]);
            ps_vec3 nc = ps_v3_add(mvmul(&s->I, omd[l]), ps_v3_cross(om[l], Iw));
            N[l] = ps_v3_add(nc, ps_v3_cross(c, F[l])); // about the link origin
        } else {
            F[l] = N[l] = ps_v3(0, 0, 0);
        }
    }
    // Backward: accumulate children's loads into parents, about their origins.
    for (size_t o = nl; st == PS_OK && o-- > 0;) {
        int l = rs->kin_order[o], p = rs->kin_parent[l], j = rs->kin_joint[l];
        if (j >= 0) {
            const ps_actuator_def *act = &rs->joints[j].act;
            double arm = act->armature + act->rotor_inertia * act->gear * act->gear;
            tau[j] = (rs->kin_prismatic[l] ? ps_v3_dot(d.ls[l].axis, F[l]) : ps_v3_dot(d.ls[l].axis, N[l])) + arm * QDD[j];
        }
        if (p >= 0) {
            ps_vec3 rr = ps_v3_sub(d.ls[l].pose.p, d.ls[p].pose.p);
            F[p] = ps_v3_add(F[p], F[l]);
            N[p] = ps_v3_add(N[p], ps_v3_add(N[l], ps_v3_cross(rr, F[l])));
        }
    }
    free(v);
    free(k);
    dyn_free(&d);
    return st;
}

ps_status ps_robot_inverse_dynamics(const ps_world *w, ps_robot_id r, const double *q, const double *qd,
                                    const double *qdd, double *tau)
{
    return rnea(w, r, q, qd, qdd, false, true, tau);
}

ps_status ps_robot_gravity_torques(const ps_world *w, ps_robot_id r, const double *q, double *tau)
{
    return rnea(w, r, q, NULL, NULL, false, true, tau);
}

ps_status ps_robot_bias_torques(const ps_world *w, ps_robot_id r, const double *q, const double *qd, double *tau)
{
    return rnea(w, r, q, qd, NULL, true, true, tau);
}

/* ------------------------------------------------------------------- IK */

ps_ik_options ps_default_ik_options(void)
{
    return (ps_ik_options){
        .max_iterations = 200,
        .damping = 0.05,
        .position_tolerance = 1e-4,
        .rotation_tolerance = 1e-3,
        .orientation = true,
        .max_step = 0.2,
    };
}

// Rotation vector (axis * angle) of the rotation taking a to b: b a^-1.
static ps_vec3 rot_error(ps_quat a, ps_quat b)
{
    ps_quat ai = {a.w, -a.x, -a.y, -a.z};
    ps_quat e = ps_quat_mul(b, ai);
    if (e.w < 0) e = (ps_quat){-e.w, -e.x, -e.y, -e.z};
    double s = sqrt(e.x * e.x + e.y * e.y + e.z * e.z);
    if (s < 1e-12) return ps_v3(2 * e.x, 2 * e.y, 2 * e.z);
    double ang = 2 * atan2(s, e.w);
    return ps_v3(e.x / s * ang, e.y / s * ang, e.z / s * ang);
}

// Solves the symmetric positive-definite system A x = b (m x m, m <= 6) by
// Cholesky; A and b are overwritten. false if not positive definite.
static bool spd_solve(double *A, double *b, int m)
{
    for (int i = 0; i < m; i++) {
        for (int j = 0; j <= i; j++) {
            double s = A[i * m + j];
            for (int k = 0; k < j; k++) s -= A[i * m + k] * A[j * m + k];
            if (i == j) {
                if (!(s > 0)) return false;
                A[i * m + i] = sqrt(s);
            } else {
                A[i * m + j] = s / A[j * m + j];
            }
        }
    }
    for (int i = 0; i < m; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++) s -= A[i * m + k] * b[k];
        b[i] = s / A[i * m + i];
    }
    for (int i = m - 1; i >= 0; i--) {
        double s = b[i];
        for (int k = i + 1; k < m; k++) s -= A[k * m + i] * b[k];
        b[i] = s / A[i * m + i];
    }
    return true;
}

// Errors of the point/frame at configuration d.q towards the target.
static void ik_error(const dyn *d, size_t link, ps_vec3 point, ps_pose target, bool orient, double e[6])
{
    const link_state *s = &d->ls[link];
    ps_vec3 P = ps_v3_add(s->pose.p, ps_quat_rotate(s->pose.q, point));
    ps_vec3 dp = ps_v3_sub(target.p, P), dr = orient ? rot_error(s->pose.q, target.q) : ps_v3(0, 0, 0);
    e[0] = dp.x; e[1] = dp.y; e[2] = dp.z;
    e[3] = dr.x; e[4] = dr.y; e[5] = dr.z;
}

ps_status ps_robot_ik(const ps_world *w, ps_robot_id r, size_t link, ps_vec3 point, ps_pose target, const double *q0,
                      const ps_ik_options *opt, double *q_out, ps_ik_result *res)
{
    ps_ik_options o = opt ? *opt : ps_default_ik_options();
    if (!q_out || !ps_vec3_finite(point) || !ps_vec3_finite(target.p) || o.max_iterations < 1 || !(o.damping > 0) ||
        !(o.max_step > 0))
        return PS_ERR_INVALID;
    if (o.orientation && !ps_quat_normalize(&target.q)) return PS_ERR_INVALID;
    dyn d;
    ps_status st = dyn_init(&d, w, r, q0);
    if (st != PS_OK) return st;
    if (link >= d.nl) {
        dyn_free(&d);
        return PS_ERR_INVALID;
    }
    size_t n = d.nj;
    const int m = o.orientation ? 6 : 3;
    double *J = malloc(6 * (n ? n : 1) * sizeof *J), *lo = malloc(3 * (n ? n : 1) * sizeof *lo);
    if (!J || !lo) {
        free(J);
        free(lo);
        dyn_free(&d);
        return PS_ERR_NOMEM;
    }
    double *hi = lo + n, *dq = lo + 2 * n;
    for (size_t i = 0; i < n; i++) {
        dq[i] = 0;
        if (ps_robot_joint_limits(w, r, i, &lo[i], &hi[i]) != PS_OK) {
            lo[i] = -INFINITY;
            hi[i] = INFINITY;
        }
        d.q[i] = fmin(fmax(d.q[i], lo[i]), hi[i]);
    }
    ps_ik_result out = {0};
    double e[6];
    for (int it = 0;; it++) {
        // Recompute the link states at d.q (dyn_init's per-link pass).
        double *qs = d.q;
        d.q = NULL;
        dyn_free(&d);
        st = dyn_init(&d, w, r, qs);
        free(qs);
        if (st != PS_OK) break;
        ik_error(&d, link, point, target, o.orientation, e);
        out.position_error = sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
        out.rotation_error = sqrt(e[3] * e[3] + e[4] * e[4] + e[5] * e[5]);
        out.iterations = it;
        out.converged = out.position_error <= o.position_tolerance &&
                        (!o.orientation || out.rotation_error <= o.rotation_tolerance);
        if (out.converged || it >= o.max_iterations) break;
        const link_state *s = &d.ls[link];
        jacobian_at(&d, (int)link, ps_v3_add(s->pose.p, ps_quat_rotate(s->pose.q, point)), J);
        // dq = J^T (J J^T + lambda^2 I)^-1 e. A joint at a limit that the step
        // would push further is frozen (its column dropped) and the step redone.
        double A[36], b[6], dq_max = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int a = 0; a < m; a++) {
                b[a] = e[a];
                for (int c = 0; c < m; c++) {
                    double v = a == c ? o.damping * o.damping : 0;
                    for (size_t i = 0; i < n; i++) v += J[(size_t)a * n + i] * J[(size_t)c * n + i];
                    A[a * m + c] = v;
                }
            }
            if (!spd_solve(A, b, m)) break;
            bool froze = false;
            dq_max = 0;
            for (size_t i = 0; i < n; i++) {
                double v = 0;
                for (int a = 0; a < m; a++) v += J[(size_t)a * n + i] * b[a];
                dq[i] = v;
                if ((d.q[i] <= lo[i] && v < 0) || (d.q[i] >= hi[i] && v > 0)) {
                    for (int a = 0; a < 6; a++) J[(size_t)a * n + i] = 0;
                    dq[i] = 0;
                    froze = true;
                }
                dq_max = fmax(dq_max, fabs(dq[i]));
            }
            if (!froze) break;
        }
        double scale = dq_max > o.max_step ? o.max_step / dq_max : 1;
        for (size_t i = 0; i < n; i++) d.q[i] = fmin(fmax(d.q[i] + scale * dq[i], lo[i]), hi[i]);
    }
    if (st == PS_OK) memcpy(q_out, d.q, n * sizeof *q_out);
    if (res) *res = out;
    free(J);
    free(lo);
    dyn_free(&d);
    return st;
}
