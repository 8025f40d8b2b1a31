// Tests of joints (joint.h): creation of each type, dof, readings and their
// signs, motors, limits (including the ball joint's Euler limits), fixed
// joints, force feedback, validation and handle life cycle.
#include "harness.h"
#include "pilotsim/state.h"
#include "test_util.h"

static ps_joint_def jdef(ps_joint_type t, ps_body_id b1, ps_body_id b2, ps_vec3 anchor, ps_vec3 axis)
{
    ps_joint_def d = ps_default_joint_def(t);
    d.body1 = b1;
    d.body2 = b2;
    d.anchor = anchor;
    d.axis = axis;
    return d;
}

// Small dynamic ball (radius 0.05, density 1000).
static ps_body_id ball_at(ps_world *w, const char *name, double x, double y, double z)
{
    return tu_sphere_body(w, name, tu_pose(x, y, z), 0.05, 1000);
}

static void test_default_def(void)
{
    ps_joint_def d = ps_default_joint_def(PS_JOINT_HINGE);
    CHECK_EQ(d.type, PS_JOINT_HINGE);
    CHECK(d.axis.x == 0 && d.axis.y == 0 && d.axis.z == 1);
    CHECK(d.axis2.x == 0 && d.axis2.y == 1 && d.axis2.z == 0);
    CHECK(!ps_body_is_set(d.body2));
    CHECK(!d.feedback);
    for (int i = 0; i < 3; i++) {
        CHECK(!d.axes[i].limited);
        CHECK(d.axes[i].motor_vel == 0 && d.axes[i].motor_fmax == 0);
        CHECK(d.axes[i].friction == 0);
        CHECK_NEAR(d.axes[i].stop_erp, 0.2, 1e-12);
        CHECK_NEAR(d.axes[i].stop_cfm, 1e-8, 1e-20);
        CHECK(d.axes[i].bounce == 0);
    }
}

static void test_create_types(void)
{
    ps_world *w = tu_world();
    const ps_joint_type types[5] = { PS_JOINT_HINGE, PS_JOINT_SLIDER, PS_JOINT_BALL,
                                     PS_JOINT_UNIVERSAL, PS_JOINT_FIXED };
    const int dofs[5] = { 1, 1, 3, 2, 0 };
    const char *names[5] = { "hinge", "slider", "ball", "universal", "fixed" };
    ps_joint_id ids[5];
    for (int i = 0; i < 5; i++) {
        ps_body_id b = ball_at(w, names[i], 2.0 * i, 0, 1);
        ps_joint_def d = jdef(types[i], b, PS_BODY_NONE, tu_v(2.0 * i, 0, 1.5), tu_v(1, 0, 0));
        d.name = names[i];
        d.axis2 = tu_v(0, 1, 0);
        ids[i] = ps_joint_create(w, &d);
        if (!CHECK(tu_joint_set(ids[i]))) {
            NOTE("%s: %s", names[i], ps_world_last_error(w));
            continue;
        }
        CHECK(ps_joint_valid(w, ids[i]));
        CHECK_EQ(ps_joint_get_type(w, ids[i]), types[i]);
        CHECK_EQ(ps_joint_dof(w, ids[i]), dofs[i]);
        const char *nm = ps_joint_name(w, ids[i]);
        CHECK(nm && strcmp(nm, names[i]) == 0);
        ps_joint_id f = ps_joint_find(w, names[i]);
        CHECK(f.index == ids[i].index && f.gen == ids[i].gen);
        double v;
        for (int k = 0; k < dofs[i]; k++) {
            CHECK_EQ(ps_joint_get_position(w, ids[i], k, &v), PS_OK);
            CHECK(isfinite(v));
            CHECK_EQ(ps_joint_get_rate(w, ids[i], k, &v), PS_OK);
        }
        CHECK_EQ(ps_joint_get_position(w, ids[i], dofs[i], &v), PS_ERR_INVALID);
        CHECK_EQ(ps_joint_get_rate(w, ids[i], -1, &v), PS_ERR_INVALID);
    }
    CHECK_EQ(ps_world_joint_count(w), 5);
    CHECK(!tu_joint_set(ps_joint_find(w, "nope")));
    CHECK_EQ(tu_step(w, 200), PS_OK);
    ps_world_destroy(w);
}

// A 1 m rod (10 cm square, 10 kg) whose link frame is at one end, `at`,
// lying along `dir` (a unit axis). Links like this keep QuickStep well
// conditioned (a small ball on a long lever needs many more iterations).
static ps_body_id rod(ps_world *w, const char *name, ps_vec3 at, ps_vec3 dir)
{
    ps_body_def bd = ps_default_body_def();
    bd.name = name;
    bd.pose = tu_pose(at.x, at.y, at.z);
    ps_body_id b = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(fabs(dir.x) > 0.5 ? 1 : 0.1, fabs(dir.y) > 0.5 ? 1 : 0.1, fabs(dir.z) > 0.5 ? 1 : 0.1);
    g.pose = tu_pose(dir.x * 0.5, dir.y * 0.5, dir.z * 0.5);
    ps_geom_create(w, b, &g);
    return b;
}

// Gives b the rigid motion "turn at `om` about the point `pivot`".
static void spin_about(ps_world *w, ps_body_id b, ps_vec3 pivot, ps_vec3 om)
{
    ps_vec3 c;
    ps_body_get_com_world(w, b, &c);
    ps_body_set_angvel(w, b, om);
    ps_body_set_linvel(w, b, tu_cross(om, tu_sub(c, pivot)));
}

// Rotation angle of q about the unit axis (x, y, z), for rotations about it.
static double angle_about(ps_quat q, ps_vec3 axis)
{
    return 2 * atan2(q.x * axis.x + q.y * axis.y + q.z * axis.z, q.w);
}

static void test_readings_and_signs(void)
{
    // Hinge about +z at the origin, rod along +x turning at +1 rad/s, gravity
    // off: the reading is zero at creation and follows body1's rotation
    // (1 mrad; the rate within 1e-6 of the body's own angular velocity).
    ps_world *w = tu_world_nograv();
    ps_body_id b = rod(w, "h", tu_v(0, 0, 0), tu_v(1, 0, 0));
    spin_about(w, b, tu_v(0, 0, 0), tu_v(0, 0, 1));
    ps_joint_def d = jdef(PS_JOINT_HINGE, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(0, 0, 1));
    ps_joint_id h = ps_joint_create(w, &d);
    double pos = NAN, rate = NAN;
    CHECK_EQ(ps_joint_get_position(w, h, 0, &pos), PS_OK);
    CHECK_NEAR(pos, 0, 1e-12); // zero at creation
    CHECK_EQ(tu_step(w, 250), PS_OK); // 0.5 s
    CHECK_EQ(ps_joint_get_position(w, h, 0, &pos), PS_OK);
    CHECK_EQ(ps_joint_get_rate(w, h, 0, &rate), PS_OK);
    CHECK_NEAR(pos, angle_about(tu_rot(w, b), tu_v(0, 0, 1)), 1e-6);
    CHECK_NEAR(rate, tu_angvel(w, b).z, 1e-6);
    CHECK_NEAR(pos, 0.5, 1e-3); // body1 turned +0.5 rad about +z
    CHECK_NEAR(rate, 1, 1e-3);
    ps_world_destroy(w);

    // Slider along x, moving at 0.5 m/s.
    w = tu_world_nograv();
    b = ball_at(w, "s", 0, 0, 0);
    ps_body_set_linvel(w, b, tu_v(0.5, 0, 0));
    d = jdef(PS_JOINT_SLIDER, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(1, 0, 0));
    ps_joint_id s = ps_joint_create(w, &d);
    CHECK_EQ(ps_joint_get_position(w, s, 0, &pos), PS_OK);
    CHECK_NEAR(pos, 0, 1e-12);
    CHECK_EQ(tu_step(w, 500), PS_OK); // 1 s
    CHECK_EQ(ps_joint_get_position(w, s, 0, &pos), PS_OK);
    CHECK_EQ(ps_joint_get_rate(w, s, 0, &rate), PS_OK);
    CHECK_NEAR(pos, 0.5, 1e-6);
    CHECK_NEAR(rate, 0.5, 1e-9);
    CHECK_NEAR(pos, tu_pos(w, b).x, 1e-9);
    ps_world_destroy(w);

    // Hinge between two bodies: (child, parent); the child turns +z. The
    // reading is the child's rotation relative to the parent.
    w = tu_world_nograv();
    ps_body_id parent = rod(w, "parent", tu_v(0, 0, 0), tu_v(-1, 0, 0));
    ps_body_id child = rod(w, "child", tu_v(0, 0, 0), tu_v(1, 0, 0));
    spin_about(w, child, tu_v(0, 0, 0), tu_v(0, 0, 2));
    d = jdef(PS_JOINT_HINGE, child, parent, tu_v(0, 0, 0), tu_v(0, 0, 1));
    h = ps_joint_create(w, &d);
    CHECK_EQ(tu_step(w, 50), PS_OK);
    CHECK_EQ(ps_joint_get_position(w, h, 0, &pos), PS_OK);
    CHECK_EQ(ps_joint_get_rate(w, h, 0, &rate), PS_OK);
    CHECK(pos > 0.05);
    CHECK(rate > 0.5);
    ps_quat qrel = tu_quat_mul(tu_quat_conj(tu_rot(w, parent)), tu_rot(w, child));
    CHECK_NEAR(pos, angle_about(qrel, tu_v(0, 0, 1)), 1e-6);
    CHECK_NEAR(rate, tu_angvel(w, child).z - tu_angvel(w, parent).z, 1e-6);
    ps_world_destroy(w);

    // Universal at the origin with axis x (on body1) and axis2 y (on body2);
    // a rod hangs along -z and turns +1 rad/s about x.
    w = tu_world_nograv();
    b = rod(w, "u", tu_v(0, 0, 0), tu_v(0, 0, -1));
    spin_about(w, b, tu_v(0, 0, 0), tu_v(1, 0, 0));
    d = jdef(PS_JOINT_UNIVERSAL, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(1, 0, 0));
    d.axis2 = tu_v(0, 1, 0);
    ps_joint_id u = ps_joint_create(w, &d);
    CHECK(tu_joint_set(u));
    CHECK_EQ(tu_step(w, 100), PS_OK); // 0.2 s
    double p0, p1, r0, r1;
    CHECK_EQ(ps_joint_get_position(w, u, 0, &p0), PS_OK);
    CHECK_EQ(ps_joint_get_position(w, u, 1, &p1), PS_OK);
    CHECK_EQ(ps_joint_get_rate(w, u, 0, &r0), PS_OK);
    CHECK_EQ(ps_joint_get_rate(w, u, 1, &r1), PS_OK);
    double ax = angle_about(tu_rot(w, b), tu_v(1, 0, 0));
    if (!CHECK_NEAR(p0, ax, 1e-6)) NOTE("universal axis 1 position vs body rotation %g", ax);
    CHECK_NEAR(p0, 0.2, 2e-3);
    CHECK_NEAR(p1, 0, 1e-6);
    if (!CHECK_NEAR(r0, tu_angvel(w, b).x, 1e-6)) NOTE("universal axis 1 rate");
    CHECK_NEAR(r1, 0, 1e-6);
    ps_world_destroy(w);

    // Ball: Euler angles, the first about x. Turning +x reads +x, the others 0.
    w = tu_world_nograv();
    b = rod(w, "b", tu_v(0, 0, 0), tu_v(0, 0, -1));
    spin_about(w, b, tu_v(0, 0, 0), tu_v(1, 0, 0));
    d = jdef(PS_JOINT_BALL, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(1, 0, 0));
    ps_joint_id ball = ps_joint_create(w, &d);
    CHECK(tu_joint_set(ball));
    CHECK_EQ(tu_step(w, 100), PS_OK);
    double e[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(ps_joint_get_position(w, ball, i, &e[i]), PS_OK);
    ax = angle_about(tu_rot(w, b), tu_v(1, 0, 0));
    if (!CHECK_NEAR(e[0], ax, 1e-6)) NOTE("ball Euler angles %g %g %g", e[0], e[1], e[2]);
    CHECK_NEAR(e[0], 0.2, 5e-3);
    CHECK_NEAR(e[1], 0, 1e-6);
    CHECK_NEAR(e[2], 0, 1e-6);
    ps_world_destroy(w);
    // The same about the ball's third Euler axis (z, along the rod).
    w = tu_world_nograv();
    b = rod(w, "b", tu_v(0, 0, 0), tu_v(0, 0, -1));
    spin_about(w, b, tu_v(0, 0, 0), tu_v(0, 0, 1));
    d.body1 = b;
    ball = ps_joint_create(w, &d);
    CHECK(tu_joint_set(ball));
    CHECK_EQ(tu_step(w, 100), PS_OK);
    for (int i = 0; i < 3; i++) CHECK_EQ(ps_joint_get_position(w, ball, i, &e[i]), PS_OK);
    ax = angle_about(tu_rot(w, b), tu_v(0, 0, 1));
    if (!CHECK_NEAR(e[2], ax, 1e-6)) NOTE("ball Euler angles %g %g %g", e[0], e[1], e[2]);
    CHECK_NEAR(e[2], 0.2, 5e-3);
    CHECK_NEAR(e[0], 0, 1e-6);
    CHECK_NEAR(e[1], 0, 1e-6);
    ps_world_destroy(w);
}

static void test_motors(void)
{
    // Hinge velocity motor through the COM of a 0.2 m cube (8 kg,
    // Izz = 8 * 0.08 / 12), gravity off: reaches the target rate.
    ps_world *w = tu_world_nograv();
    ps_body_id b = tu_box_body(w, "rotor", tu_pose(0, 0, 0), 0.2, 0.2, 0.2, 1000);
    ps_joint_def d = jdef(PS_JOINT_HINGE, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(0, 0, 1));
    d.axes[0].motor_vel = 2;
    d.axes[0].motor_fmax = 10;
    ps_joint_id h = ps_joint_create(w, &d);
    CHECK_EQ(tu_step(w, 250), PS_OK);
    double rate;
    CHECK_EQ(ps_joint_get_rate(w, h, 0, &rate), PS_OK);
    CHECK_NEAR(rate, 2, 1e-3);
    // Retarget.
    CHECK_EQ(ps_joint_set_motor(w, h, 0, -1, 10), PS_OK);
    CHECK_EQ(tu_step(w, 250), PS_OK);
    CHECK_EQ(ps_joint_get_rate(w, h, 0, &rate), PS_OK);
    CHECK_NEAR(rate, -1, 1e-3);
    ps_joint_axis ax;
    CHECK_EQ(ps_joint_get_axis(w, h, 0, &ax), PS_OK);
    CHECK(ax.motor_vel == -1 && ax.motor_fmax == 10);
    // The force limit binds: with fmax = 0.01 N m the rate grows at
    // fmax / Izz = 0.1875 rad/s^2 (tolerance 2%).
    CHECK_EQ(ps_joint_set_motor(w, h, 0, 0, 1000), PS_OK);
    CHECK_EQ(tu_step(w, 50), PS_OK); // stop it
    CHECK_EQ(ps_joint_set_motor(w, h, 0, 2, 0.01), PS_OK);
    CHECK_EQ(tu_step(w, 250), PS_OK); // 0.5 s
    CHECK_EQ(ps_joint_get_rate(w, h, 0, &rate), PS_OK);
    const double Izz = 8.0 * 0.08 / 12;
    CHECK_REL(rate, 0.01 / Izz * 0.5, 0.02);
    CHECK_EQ(ps_joint_set_motor(w, h, 0, 1, -1), PS_ERR_INVALID);
    CHECK_EQ(ps_joint_set_motor(w, h, 0, NAN, 1), PS_ERR_INVALID);
    CHECK_EQ(ps_joint_set_motor(w, h, 1, 1, 1), PS_ERR_INVALID); // no axis 1
    ps_world_destroy(w);

    // Slider motor, with gravity along the slider (vertical lift).
    w = tu_world();
    b = tu_box_body(w, "lift", tu_pose(0, 0, 1), 0.2, 0.2, 0.2, 1000);
    d = jdef(PS_JOINT_SLIDER, b, PS_BODY_NONE, tu_v(0, 0, 1), tu_v(0, 0, 1));
    d.axes[0].motor_vel = 0.3;
    d.axes[0].motor_fmax = 200; // > m g = 78.5 N
    ps_joint_id s = ps_joint_create(w, &d);
    CHECK_EQ(tu_step(w, 250), PS_OK);
    CHECK_EQ(ps_joint_get_rate(w, s, 0, &rate), PS_OK);
    CHECK_NEAR(rate, 0.3, 1e-3);
    ps_world_destroy(w);

    // Effort: a torque about the hinge gives dw = tau / I dt in one step.
    w = tu_world_nograv();
    b = tu_box_body(w, "rotor", tu_pose(0, 0, 0), 0.2, 0.2, 0.2, 1000);
    d = jdef(PS_JOINT_HINGE, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(0, 0, 1));
    h = ps_joint_create(w, &d);
    CHECK_EQ(ps_joint_add_effort(w, h, 0, 0.5), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK_EQ(ps_joint_get_rate(w, h, 0, &rate), PS_OK);
    CHECK_REL(rate, 0.5 / Izz * 0.002, 1e-3);
    CHECK_EQ(ps_joint_add_effort(w, h, 0, NAN), PS_ERR_INVALID);
    CHECK_EQ(ps_joint_add_effort(w, h, 2, 1), PS_ERR_INVALID);
    ps_world_destroy(w);
}

static void test_limits(void)
{
    // Hinge limits [-0.5, 0.5] against a body spinning at 3 rad/s.
    ps_world *w = tu_world_nograv();
    ps_body_id b = tu_box_body(w, "flap", tu_pose(0.5, 0, 0), 1.0, 0.1, 0.02, 500);
    ps_body_set_angvel(w, b, tu_v(0, 0, 3));
    ps_body_set_linvel(w, b, tu_v(0, 1.5, 0));
    ps_joint_def d = jdef(PS_JOINT_HINGE, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(0, 0, 1));
    d.axes[0].limited = true;
    d.axes[0].lo = -0.5;
    d.axes[0].hi = 0.5;
    ps_joint_id h = ps_joint_create(w, &d);
    double pos, maxpos = -10;
    for (int i = 0; i < 500; i++) {
        ps_world_step(w);
        ps_joint_get_position(w, h, 0, &pos);
        if (pos > maxpos) maxpos = pos;
    }
    // One step at 3 rad/s moves 6 mrad; tolerance 0.02 rad past the limit.
    CHECK(maxpos > 0.45);
    if (!CHECK(maxpos < 0.52)) NOTE("max hinge angle %g", maxpos);
    CHECK(pos < 0.52 && pos > -0.52);
    // Limits changed at run time: swing back with a motor into the low stop.
    ps_joint_axis ax;
    CHECK_EQ(ps_joint_get_axis(w, h, 0, &ax), PS_OK);
    ax.lo = -0.2;
    ax.motor_vel = -2;
    ax.motor_fmax = 5;
    CHECK_EQ(ps_joint_set_axis(w, h, 0, &ax), PS_OK);
    CHECK_EQ(tu_step(w, 500), PS_OK);
    CHECK_EQ(ps_joint_get_position(w, h, 0, &pos), PS_OK);
    CHECK_NEAR(pos, -0.2, 0.02);
    ax.lo = 0.3;
    ax.hi = 0.1;
    CHECK_EQ(ps_joint_set_axis(w, h, 0, &ax), PS_ERR_INVALID);
    ps_world_destroy(w);

    // Slider limits [-0.1, 0.1] against 1 m/s.
    w = tu_world_nograv();
    b = ball_at(w, "s", 0, 0, 0);
    ps_body_set_linvel(w, b, tu_v(1, 0, 0));
    d = jdef(PS_JOINT_SLIDER, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(1, 0, 0));
    d.axes[0].limited = true;
    d.axes[0].lo = -0.1;
    d.axes[0].hi = 0.1;
    ps_joint_id s = ps_joint_create(w, &d);
    maxpos = -10;
    for (int i = 0; i < 500; i++) {
        ps_world_step(w);
        ps_joint_get_position(w, s, 0, &pos);
        if (pos > maxpos) maxpos = pos;
    }
    CHECK(maxpos > 0.09);
    if (!CHECK(maxpos < 0.105)) NOTE("max slider position %g", maxpos);
    ps_world_destroy(w);
}

static void test_ball_limits(void)
{
    // A ball joint with Euler limits of +-0.3 rad on every axis; a 1 m rod
    // hangs from the anchor and is thrown into all three limits.
    ps_world *w = tu_world_nograv();
    ps_body_id b = rod(w, "arm", tu_v(0, 0, 0), tu_v(0, 0, -1));
    spin_about(w, b, tu_v(0, 0, 0), tu_v(2, 1.5, 1));
    ps_joint_def d = jdef(PS_JOINT_BALL, b, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(1, 0, 0));
    for (int i = 0; i < 3; i++) {
        d.axes[i].limited = true;
        d.axes[i].lo = -0.3;
        d.axes[i].hi = 0.3;
    }
    ps_joint_id j = ps_joint_create(w, &d);
    if (!CHECK(tu_joint_set(j))) {
        NOTE("%s", ps_world_last_error(w));
        ps_world_destroy(w);
        return;
    }
    double maxabs[3] = { 0, 0, 0 };
    for (int s = 0; s < 1000; s++) {
        CHECK_EQ(ps_world_step(w), PS_OK);
        for (int i = 0; i < 3; i++) {
            double e;
            ps_joint_get_position(w, j, i, &e);
            if (fabs(e) > maxabs[i]) maxabs[i] = fabs(e);
        }
    }
    // Tolerance: 0.03 rad past the limit.
    for (int i = 0; i < 3; i++) {
        if (!CHECK(maxabs[i] < 0.33)) NOTE("ball Euler axis %d reached %g rad", i, maxabs[i]);
        if (!CHECK(maxabs[i] > 0.25)) NOTE("ball Euler axis %d never neared its limit", i);
    }
    // The anchor holds: the link frame stays at it (1 mm).
    CHECK_NEAR(tu_norm(tu_pos(w, b)), 0, 1e-3);
    ps_world_destroy(w);
}

static void test_fixed(void)
{
    // Two 1 kg cubes welded together, pushed off-centre on one of them: the
    // pair tumbles but their relative pose stays (1 mm, 1 mrad).
    ps_world *w = tu_world();
    ps_body_id b2 = tu_box_body(w, "base", tu_pose(0, 0, 10), 0.1, 0.1, 0.1, 1000);
    ps_body_id b1 = tu_box_body(w, "tip", tu_pose(0.3, 0, 10), 0.1, 0.1, 0.1, 1000);
    ps_joint_def d = jdef(PS_JOINT_FIXED, b1, b2, tu_v(0.15, 0, 10), tu_v(0, 0, 1));
    ps_joint_id j = ps_joint_create(w, &d);
    CHECK(tu_joint_set(j));
    CHECK_EQ(ps_joint_dof(w, j), 0);
    double v;
    CHECK_EQ(ps_joint_get_position(w, j, 0, &v), PS_ERR_INVALID);
    for (int i = 0; i < 250; i++) {
        ps_vec3 at = tu_add(tu_pos(w, b1), tu_v(0, 0, 0.05));
        ps_body_add_force_at(w, b1, tu_v(0, 5, 2), at);
        CHECK_EQ(ps_world_step(w), PS_OK);
    }
    ps_pose p1, p2;
    ps_body_get_pose(w, b1, &p1);
    ps_body_get_pose(w, b2, &p2);
    ps_vec3 rel = tu_rotate(tu_quat_conj(p2.q), tu_sub(p1.p, p2.p));
    CHECK_NEAR(rel.x, 0.3, 1e-3);
    CHECK_NEAR(rel.y, 0, 1e-3);
    CHECK_NEAR(rel.z, 0, 1e-3);
    CHECK_NEAR(tu_quat_angle(p1.q, p2.q), 0, 1e-3);
    CHECK(tu_quat_angle(p2.q, ps_pose_identity().q) > 0.05); // it did tumble
    ps_world_destroy(w);

    // Welded to the world: no sag beyond 1 mm under gravity.
    w = tu_world();
    b1 = tu_box_body(w, "sign", tu_pose(0, 0, 2), 0.5, 0.1, 0.3, 500);
    d = jdef(PS_JOINT_FIXED, b1, PS_BODY_NONE, tu_v(-0.25, 0, 2), tu_v(0, 0, 1));
    CHECK(tu_joint_set(ps_joint_create(w, &d)));
    CHECK_EQ(tu_step(w, 500), PS_OK);
    ps_vec3 p = tu_pos(w, b1);
    CHECK_NEAR(p.z, 2, 1e-3);
    CHECK_NEAR(p.x, 0, 1e-3);
    ps_world_destroy(w);
}

static void test_feedback(void)
{
    // A 2 kg bob hanging 1 m below a hinge at rest: the joint holds it up
    // with m g (within 1%).
    ps_world *w = tu_world();
    ps_body_def bd = ps_default_body_def();
    bd.name = "bob";
    bd.mass = 2;
    ps_body_id b = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = 0.05;
    ps_geom_create(w, b, &g);
    ps_joint_def d = jdef(PS_JOINT_HINGE, b, PS_BODY_NONE, tu_v(0, 0, 1), tu_v(0, 1, 0));
    d.feedback = true;
    ps_joint_id h = ps_joint_create(w, &d);
    CHECK_EQ(tu_step(w, 500), PS_OK);
    ps_vec3 f1, t1, f2, t2;
    CHECK_EQ(ps_joint_get_feedback(w, h, &f1, &t1, &f2, &t2), PS_OK);
    CHECK_REL(f1.z, 2 * 9.81, 0.01);
    CHECK_NEAR(f1.x, 0, 0.01 * 2 * 9.81);
    CHECK_NEAR(f1.y, 0, 0.01 * 2 * 9.81);
    CHECK_NEAR(tu_norm(t1), 0, 0.01 * 2 * 9.81);

    // Without `feedback` in the def there is nothing to read.
    ps_body_id b2 = ball_at(w, "other", 3, 0, 0);
    ps_joint_def d2 = jdef(PS_JOINT_HINGE, b2, PS_BODY_NONE, tu_v(3, 0, 1), tu_v(0, 1, 0));
    ps_joint_id h2 = ps_joint_create(w, &d2);
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK(ps_joint_get_feedback(w, h2, &f1, &t1, &f2, &t2) != PS_OK);
    ps_world_destroy(w);
}

static void test_invalid(void)
{
    ps_world *w = tu_world();
    ps_body_id a = ball_at(w, "a", 0, 0, 1);
    ps_body_id c = ball_at(w, "c", 1, 0, 1);
    ps_body_id gone = ball_at(w, "gone", 2, 0, 1);
    CHECK_EQ(ps_body_destroy(w, gone), PS_OK);
    ps_body_def sd = ps_default_body_def();
    sd.kind = PS_BODY_STATIC;
    ps_body_id st = ps_body_create(w, &sd);
    size_t before = ps_world_joint_count(w);

#define BADJ(type, mod) \
    do { \
        ps_joint_def d_ = jdef(type, a, PS_BODY_NONE, tu_v(0, 0, 1.5), tu_v(0, 1, 0)); \
        d_.axis2 = tu_v(1, 0, 0); \
        mod; \
        ps_joint_id id_ = ps_joint_create(w, &d_); \
        if (!CHECK(!tu_joint_set(id_))) NOTE("accepted: %s", #mod); \
        else if (!CHECK(ps_world_last_error(w)[0] != '\0')) NOTE("no message: %s", #mod); \
    } while (0)

    BADJ(PS_JOINT_HINGE, d_.axis = tu_v(0, 0, 0));
    BADJ(PS_JOINT_SLIDER, d_.axis = tu_v(0, 0, 0));
    BADJ(PS_JOINT_HINGE, d_.axis = tu_v(NAN, 1, 0));
    BADJ(PS_JOINT_HINGE, d_.anchor = tu_v(0, INFINITY, 0));
    BADJ(PS_JOINT_HINGE, d_.axes[0].limited = true; d_.axes[0].lo = 0.5; d_.axes[0].hi = 0.2);
    BADJ(PS_JOINT_SLIDER, d_.axes[0].limited = true; d_.axes[0].lo = 1; d_.axes[0].hi = -1);
    // Hinges take any range (they count turns); universal axes need [-pi, pi].
    BADJ(PS_JOINT_UNIVERSAL, d_.axes[0].limited = true; d_.axes[0].lo = -1; d_.axes[0].hi = 4);
    BADJ(PS_JOINT_UNIVERSAL, d_.axes[0].limited = true; d_.axes[0].lo = -3.5; d_.axes[0].hi = 0);
    BADJ(PS_JOINT_HINGE, d_.axes[0].limited = true; d_.axes[0].lo = NAN; d_.axes[0].hi = 0);
    BADJ(PS_JOINT_HINGE, d_.body1 = gone);
    BADJ(PS_JOINT_HINGE, d_.body1 = PS_BODY_NONE);
    BADJ(PS_JOINT_HINGE, d_.body1 = st);
    BADJ(PS_JOINT_HINGE, d_.body2 = gone);
    BADJ(PS_JOINT_HINGE, d_.body2 = a);
    BADJ(PS_JOINT_HINGE, d_.axes[0].motor_fmax = -1);
    BADJ(PS_JOINT_HINGE, d_.axes[0].stop_erp = 0);
    BADJ(PS_JOINT_HINGE, d_.axes[0].stop_erp = 1.5);
    BADJ(PS_JOINT_HINGE, d_.axes[0].stop_cfm = -1);
    BADJ(PS_JOINT_HINGE, d_.axes[0].bounce = 2);
    BADJ(PS_JOINT_HINGE, d_.axes[0].friction = -0.5);
    BADJ(PS_JOINT_UNIVERSAL, d_.axis2 = tu_v(0, 2, 0)); // parallel to axis
    BADJ(PS_JOINT_UNIVERSAL, d_.axis2 = tu_v(0, 0, 0));
    BADJ(PS_JOINT_BALL, d_.axes[1].limited = true; d_.axes[1].lo = -2; d_.axes[1].hi = 2);
    BADJ(PS_JOINT_BALL, d_.axes[0].limited = true; d_.axes[0].lo = 0.3; d_.axes[0].hi = -0.3);
    BADJ((ps_joint_type)77, (void)0);
#undef BADJ
    CHECK_EQ(ps_world_joint_count(w), before);

    // Valid boundary cases: slider limits are metres (beyond pi is fine);
    // hinge limits exactly +-pi; a kinematic child.
    ps_joint_def ok = jdef(PS_JOINT_SLIDER, a, PS_BODY_NONE, tu_v(0, 0, 1), tu_v(1, 0, 0));
    ok.axes[0].limited = true;
    ok.axes[0].lo = -5;
    ok.axes[0].hi = 5;
    CHECK(tu_joint_set(ps_joint_create(w, &ok)));
    ok = jdef(PS_JOINT_HINGE, c, PS_BODY_NONE, tu_v(1, 0, 1.5), tu_v(0, 1, 0));
    ok.axes[0].limited = true;
    ok.axes[0].lo = -M_PI;
    ok.axes[0].hi = M_PI;
    ps_joint_id hc = ps_joint_create(w, &ok);
    CHECK(tu_joint_set(hc));
    ps_body_def kd = ps_default_body_def();
    kd.kind = PS_BODY_KINEMATIC;
    ps_body_id kin = ps_body_create(w, &kd);
    ps_body_id d3 = ball_at(w, "d3", 5, 0, 1);
    ok = jdef(PS_JOINT_HINGE, kin, d3, tu_v(5, 0, 1.5), tu_v(0, 1, 0));
    CHECK(tu_joint_set(ps_joint_create(w, &ok)));

    // set_axis validates like creation.
    ps_joint_axis ax;
    CHECK_EQ(ps_joint_get_axis(w, hc, 0, &ax), PS_OK);
    ax.lo = 0.5;
    ax.hi = 0.2;
    CHECK_EQ(ps_joint_set_axis(w, hc, 0, &ax), PS_ERR_INVALID);
    CHECK_EQ(ps_joint_get_axis(w, hc, 1, &ax), PS_ERR_INVALID);
    CHECK_EQ(tu_step(w, 20), PS_OK);
    ps_world_destroy(w);
}

static void test_lifecycle(void)
{
    ps_world *w = tu_world();
    ps_body_id a = ball_at(w, "a", 0, 0, 1);
    ps_body_id b = ball_at(w, "b", 0, 0, 2);
    ps_joint_def d = jdef(PS_JOINT_HINGE, a, b, tu_v(0, 0, 1.5), tu_v(0, 1, 0));
    d.name = "elbow";
    ps_joint_id j = ps_joint_create(w, &d);
    CHECK(ps_joint_valid(w, j));
    // The centre of mass and automatic-mass geoms are frozen once a joint is
    // attached; mass and inertia about the same centre may change.
    const double I[6] = { 1, 1, 1, 0, 0, 0 };
    CHECK_EQ(ps_body_set_mass(w, a, 1, tu_v(0.1, 0, 0), I), PS_ERR_STATE);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.1, 0.1, 0.1);
    CHECK(!tu_geom_set(ps_geom_create(w, a, &g)));
    ps_vec3 com;
    CHECK_EQ(ps_body_get_mass(w, a, NULL, &com, NULL), PS_OK);
    CHECK_EQ(ps_body_set_mass(w, a, 3, com, I), PS_OK);
    double m3, I3[6];
    CHECK_EQ(ps_body_get_mass(w, a, &m3, NULL, I3), PS_OK);
    CHECK(m3 == 3 && I3[0] == 1 && I3[3] == 0);

    CHECK_EQ(ps_joint_destroy(w, j), PS_OK);
    CHECK(!ps_joint_valid(w, j));
    CHECK_EQ(ps_joint_destroy(w, j), PS_ERR_STALE);
    double v;
    CHECK_EQ(ps_joint_get_position(w, j, 0, &v), PS_ERR_STALE);
    CHECK_EQ(ps_joint_set_motor(w, j, 0, 1, 1), PS_ERR_STALE);
    CHECK(ps_joint_name(w, j) == NULL);
    CHECK(!tu_joint_set(ps_joint_find(w, "elbow")));
    CHECK_EQ(ps_world_joint_count(w), 0);

    // Destroying a body takes its joints along.
    ps_joint_id j2 = ps_joint_create(w, &d);
    ps_joint_def zero;
    memset(&zero, 0, sizeof zero); // no body1: rejected, nothing created
    CHECK(!tu_joint_set(ps_joint_create(w, &zero)));
    CHECK(ps_joint_valid(w, j2));
    if (j2.index == j.index) CHECK(j2.gen != j.gen);
    CHECK_EQ(ps_body_destroy(w, b), PS_OK);
    CHECK(!ps_joint_valid(w, j2));
    CHECK_EQ(ps_world_joint_count(w), 0);
    CHECK_EQ(tu_step(w, 10), PS_OK);
    ps_world_destroy(w);
}

static void test_connected_no_contacts(void)
{
    // Overlapping geoms of two hinged links (as in robot arms) do not collide.
    ps_world *w = tu_world_nograv();
    ps_body_id a = tu_box_body(w, "upper", tu_pose(0, 0, 0), 0.5, 0.1, 0.1, 1000);
    ps_body_id b = tu_box_body(w, "lower", tu_pose(0.4, 0, 0), 0.5, 0.1, 0.1, 1000);
    ps_joint_def d = jdef(PS_JOINT_HINGE, b, a, tu_v(0.2, 0, 0), tu_v(0, 1, 0));
    CHECK(tu_joint_set(ps_joint_create(w, &d)));
    CHECK_EQ(tu_step(w, 50), PS_OK);
    size_t n = 9;
    ps_world_contacts(w, &n);
    CHECK_EQ(n, 0);
    CHECK(tu_norm(tu_linvel(w, a)) < 1e-6);
    ps_world_destroy(w);
}

// A 0.2 kg ball (r 0.04 m) hanging 0.05 m below a breakable fixed joint to the world.
static ps_joint_id hang_fruit(ps_world *w, ps_body_id *ball, double bf, double bt)
{
    *ball = tu_sphere_body(w, "fruit", tu_pose(0, 0, 1), 0.04, 0.2 / (4.0 / 3.0 * 3.14159265358979 * 0.04 * 0.04 * 0.04));
    ps_joint_def d = jdef(PS_JOINT_FIXED, *ball, PS_BODY_NONE, tu_v(0, 0, 1.05), tu_v(0, 0, 1));
    d.name = "stem";
    d.break_force = bf;
    d.break_torque = bt;
    return ps_joint_create(w, &d);
}

static void test_breakable(void)
{
    // Force: holds the weight (load = m g), then a downward pull ramped by
    // 0.02 N per step breaks it once the load passes 10 N (pull ~8 N).
    ps_world *w = tu_world();
    ps_body_id b;
    ps_joint_id j = hang_fruit(w, &b, 10, 0);
    CHECK(tu_joint_set(j));
    CHECK_EQ(tu_step(w, 250), PS_OK);
    CHECK(!ps_joint_broken(w, j));
    CHECK_EQ(ps_joint_broken_step(w, j), 0);
    double f = -1, t = -1;
    CHECK_EQ(ps_joint_get_load(w, j, &f, &t), PS_OK);
    CHECK_REL(f, 0.2 * 9.81, 0.02);
    CHECK_NEAR(t, 0, 1e-3);            // the pull is along the stem: no moment about the anchor
    double pull = 0;
    int n = 0;
    while (!ps_joint_broken(w, j) && n < 2000) {
        pull += 0.02;
        ps_body_add_force(w, b, tu_v(0, 0, -pull));
        CHECK_EQ(ps_world_step(w), PS_OK);
        n++;
    }
    CHECK(ps_joint_broken(w, j));
    CHECK(pull > 7.6 && pull < 8.4);
    NOTE("broke at a pull of %.2f N", pull);
    CHECK_EQ(ps_joint_broken_step(w, j), ps_world_step_count(w));
    CHECK_EQ(ps_joint_get_load(w, j, &f, NULL), PS_OK);
    CHECK(f > 10 && f < 10.3);
    // Free now: it falls (1 s: ~4.9 m, no more holding force), the handle stays valid.
    ps_vec3 p0 = tu_pos(w, b);
    CHECK_EQ(tu_step(w, 100), PS_OK);
    CHECK(tu_pos(w, b).z < p0.z - 0.15);
    CHECK(ps_joint_valid(w, j));
    ps_vec3 f1, t1;
    CHECK_EQ(ps_joint_get_feedback(w, j, &f1, &t1, NULL, NULL), PS_OK);
    CHECK(tu_norm(f1) == 0 && tu_norm(t1) == 0);
    CHECK_EQ(ps_joint_destroy(w, j), PS_OK);
    ps_world_destroy(w);

    // Torque: a sideways push at the ball's centre, 0.05 m below the anchor,
    // breaks a 0.3 N m joint at about 6 N; until then the ball does not move.
    w = tu_world();
    j = hang_fruit(w, &b, 0, 0.3);
    CHECK_EQ(tu_step(w, 50), PS_OK);
    CHECK(!ps_joint_broken(w, j));
    double push = 0;
    n = 0;
    while (!ps_joint_broken(w, j) && n < 2000) {
        push += 0.01;
        ps_body_add_force(w, b, tu_v(push, 0, 0));
        CHECK_EQ(ps_world_step(w), PS_OK);
        if (n == 300) CHECK_NEAR(tu_pos(w, b).x, 0, 1e-3);
        n++;
    }
    CHECK(ps_joint_broken(w, j));
    CHECK(push > 5.7 && push < 6.3);
    NOTE("broke at a push of %.2f N", push);
    CHECK_EQ(ps_joint_get_load(w, j, &f, &t), PS_OK);
    CHECK(t > 0.3 && t < 0.31);
    ps_world_destroy(w);

    // A broken hinge reads 0 and ignores efforts; unbreakable joints have no load.
    w = tu_world();
    ps_body_id c = ball_at(w, "c", 0, 0, 1);
    ps_joint_def d = jdef(PS_JOINT_HINGE, c, PS_BODY_NONE, tu_v(0, 0, 1.2), tu_v(0, 1, 0));
    d.break_force = 1e-3;              // below the ball's weight: breaks in the first step
    ps_joint_id h = ps_joint_create(w, &d);
    d.break_force = 0;
    ps_body_id c2 = ball_at(w, "c2", 1, 0, 1);
    d.body1 = c2;
    d.anchor = tu_v(1, 0, 1.2);
    ps_joint_id h2 = ps_joint_create(w, &d);
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK(ps_joint_broken(w, h));
    CHECK_EQ(ps_joint_broken_step(w, h), 1);
    CHECK(!ps_joint_broken(w, h2));
    CHECK_EQ(ps_joint_get_load(w, h2, &f, &t), PS_ERR_STATE);
    CHECK_EQ(ps_joint_add_effort(w, h, 0, 5.0), PS_OK);
    CHECK_EQ(tu_step(w, 50), PS_OK);
    double q = 1;
    CHECK_EQ(ps_joint_get_position(w, h, 0, &q), PS_OK);
    CHECK(q == 0);
    CHECK(tu_pos(w, c).z < 0.99);      // falling
    CHECK_NEAR(tu_pos(w, c2).z, 1, 0.01);
    // Bad thresholds are refused with the field named.
    d.body1 = ball_at(w, "c3", 2, 0, 1);
    d.break_force = -1;
    CHECK(!tu_joint_set(ps_joint_create(w, &d)));
    CHECK(strstr(ps_world_last_error(w), "break_force") != NULL);
    d.break_force = 0;
    d.break_torque = NAN;
    CHECK(!tu_joint_set(ps_joint_create(w, &d)));
    CHECK(strstr(ps_world_last_error(w), "break_torque") != NULL);
    ps_world_destroy(w);
}

static void test_breakable_collide_restore(void)
{
    // Two free balls welded overlapping (2 cm): no contacts while joined; a
    // 2 N pull on one, along the line between them, loads the 0.5 N weld with
    // 1 N (it accelerates the other)
    // and breaks it, and the pair collides again.
    ps_world *w = tu_world_nograv();
    ps_body_id a = ball_at(w, "a", 0, 0, 0);
    ps_body_id b = ball_at(w, "b", 0.08, 0, 0);
    ps_joint_def d = jdef(PS_JOINT_FIXED, b, a, tu_v(0.04, 0, 0), tu_v(0, 0, 1));
    d.break_force = 0.5;
    ps_joint_id j = ps_joint_create(w, &d);
    CHECK(tu_joint_set(j));
    CHECK_EQ(tu_step(w, 10), PS_OK);
    size_t n = 9;
    ps_world_contacts(w, &n);
    CHECK_EQ(n, 0);
    ps_world_state *st = ps_world_state_create();
    CHECK_EQ(ps_world_save_state(w, st), PS_OK);
    ps_body_add_force(w, b, tu_v(2, 0, 0));
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK(ps_joint_broken(w, j));
    CHECK_EQ(ps_world_step(w), PS_OK);
    ps_world_contacts(w, &n);
    CHECK(n > 0);
    // Restoring the state saved before the break mends the joint: it holds
    // again (and can break again).
    CHECK_EQ(ps_world_restore_state(w, st), PS_OK);
    CHECK(!ps_joint_broken(w, j));
    CHECK_EQ(ps_joint_broken_step(w, j), 0);
    ps_vec3 pb0 = tu_pos(w, b);
    ps_body_add_force(w, b, tu_v(0.5, 0, 0));      // loads it with 0.25 N
    CHECK_EQ(tu_step(w, 20), PS_OK);
    CHECK(!ps_joint_broken(w, j));
    ps_vec3 pa = tu_pos(w, a), pb = tu_pos(w, b);
    CHECK_NEAR(pb.x - pa.x, 0.08, 1e-3);
    CHECK_NEAR(pb.y - pa.y, 0, 1e-3);
    CHECK(tu_norm(tu_sub(pb, pb0)) < 0.01);       // 20 steps at 0.5 m/s^2: 0.4 mm
    ps_world_contacts(w, &n);
    CHECK_EQ(n, 0);
    ps_body_add_force(w, b, tu_v(2, 0, 0));
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK(ps_joint_broken(w, j));
    ps_world_state_destroy(st);
    ps_world_destroy(w);
}

// A rod (1 m, 1 kg) hanging from a hinge about y at the origin: angle 0
// hangs down, the hinge angle grows as it swings towards +x and over the top.
static ps_joint_id rod_hinge(ps_world *w, ps_body_id *rod, double lo, double hi, bool limited)
{
    *rod = tu_box_body(w, "rod", tu_pose(0, 0, -0.5), 0.04, 0.04, 1.0, 625);
    ps_joint_def d = jdef(PS_JOINT_HINGE, *rod, PS_BODY_NONE, tu_v(0, 0, 0), tu_v(0, -1, 0));
    d.axes[0].limited = limited;
    d.axes[0].lo = lo;
    d.axes[0].hi = hi;
    return ps_joint_create(w, &d);
}

static void test_wide_limits(void)
{
    // Limits [-0.0175, 3.7525] (a real arm's range, beyond pi). Kicked hard
    // enough to go over the top, the rod must pass pi, stop at 3.7525, swing
    // back, and never leave the range or diverge.
    ps_world *w = tu_world();
    ps_body_id rod;
    const double lo = -0.0175, hi = 3.7525;
    ps_joint_id h = rod_hinge(w, &rod, lo, hi, true);
    if (!CHECK(tu_joint_set(h))) NOTE("%s", ps_world_last_error(w));
    ps_body_set_angvel(w, rod, tu_v(0, -9, 0));
    ps_body_set_linvel(w, rod, tu_v(4.5, 0, 0));
    double qmin = 10, qmax = -10, q = 0;
    bool ok = true;
    for (int i = 0; i < 2500 && ok; i++) { // 5 s
        ok = ps_world_step(w) == PS_OK;
        ps_joint_get_position(w, h, 0, &q);
        qmin = fmin(qmin, q);
        qmax = fmax(qmax, q);
    }
    if (!CHECK(ok)) NOTE("%s", ps_world_last_error(w));
    if (!CHECK(qmax > 3.5 && qmax < hi + 0.03)) NOTE("max angle %g (limit %g)", qmax, hi);
    if (!CHECK(qmin > lo - 0.03)) NOTE("min angle %g (limit %g)", qmin, lo);
    // Past pi gravity holds it on the high stop.
    if (!CHECK_NEAR(q, hi, 0.03)) NOTE("final angle %g", q);
    ps_world_destroy(w);

    // The same range as a negative one: [-3.7525, 0.0175], kicked the other way.
    w = tu_world();
    h = rod_hinge(w, &rod, -hi, -lo, true);
    ps_body_set_angvel(w, rod, tu_v(0, 9, 0));
    ps_body_set_linvel(w, rod, tu_v(-4.5, 0, 0));
    qmin = 10;
    for (int i = 0; i < 1000 && ok; i++) {
        ok = ps_world_step(w) == PS_OK;
        ps_joint_get_position(w, h, 0, &q);
        qmin = fmin(qmin, q);
    }
    CHECK(ok);
    if (!CHECK(qmin < -3.5 && qmin > -hi - 0.03)) NOTE("min angle %g (limit %g)", qmin, -hi);
    ps_world_destroy(w);

    // Several turns: limits [-1, 4 pi + 1] against a motor turning at 2 pi rad/s.
    w = tu_world_nograv();
    h = rod_hinge(w, &rod, -1, 4 * M_PI + 1, true);
    ps_joint_set_motor(w, h, 0, 2 * M_PI, 100);
    qmax = -10;
    for (int i = 0; i < 2000 && ok; i++) { // 4 s: would reach 8 pi unlimited
        ok = ps_world_step(w) == PS_OK;
        ps_joint_get_position(w, h, 0, &q);
        qmax = fmax(qmax, q);
    }
    CHECK(ok);
    if (!CHECK(qmax > 4 * M_PI + 0.9 && qmax < 4 * M_PI + 1.03)) NOTE("max angle %g", qmax);
    ps_world_destroy(w);
}

// Runs n steps and integrates the hinge's rate (trapezoid), rad.
static double run_integrating(ps_world *w, ps_joint_id h, int n)
{
    double r0, r1, sum = 0, dt = ps_world_get_def(w)->timestep;
    ps_joint_get_rate(w, h, 0, &r0);
    for (int i = 0; i < n; i++) {
        if (ps_world_step(w) != PS_OK) return NAN;
        ps_joint_get_rate(w, h, 0, &r1);
        sum += 0.5 * (r0 + r1) * dt;
        r0 = r1;
    }
    return sum;
}

static void test_turn_count(void)
{
    // A continuous joint turned by a motor at 2 pi rad/s for 2.5 s reads
    // about 5 pi (its integrated rate), not a wrapped angle; the count
    // survives a state save/restore and counts down when turning back.
    ps_world *w = tu_world_nograv();
    ps_body_id rod;
    ps_joint_id h = rod_hinge(w, &rod, 0, 0, false);
    ps_joint_set_motor(w, h, 0, 2 * M_PI, 100);
    double turned = run_integrating(w, h, 1000), q;
    ps_joint_get_position(w, h, 0, &q);
    if (!CHECK_NEAR(q, turned, 0.01)) NOTE("after 2 s: %g, integrated rate %g", q, turned);
    CHECK(q > 3.9 * M_PI);
    ps_world_state *st = ps_world_state_create();
    CHECK_EQ(ps_world_save_state(w, st), PS_OK);
    double q0 = q;
    turned = run_integrating(w, h, 250);
    ps_joint_get_position(w, h, 0, &q);
    CHECK_NEAR(q - q0, turned, 0.01);
    double q_after = q;
    CHECK_EQ(ps_world_restore_state(w, st), PS_OK);
    ps_joint_get_position(w, h, 0, &q);
    CHECK(q == q0);
    CHECK_EQ(tu_step(w, 250), PS_OK);
    ps_joint_get_position(w, h, 0, &q);
    CHECK(q == q_after);
    ps_joint_set_motor(w, h, 0, -4 * M_PI, 100);
    turned = run_integrating(w, h, 1000);
    double q1;
    ps_joint_get_position(w, h, 0, &q1);
    if (!CHECK_NEAR(q1 - q, turned, 0.02)) NOTE("turning back: %g, integrated rate %g", q1 - q, turned);
    CHECK(q1 < -2.5 * M_PI);
    ps_world_state_destroy(st);
    ps_world_destroy(w);
}

int main(void)
{
    RUN(test_default_def);
    RUN(test_create_types);
    RUN(test_readings_and_signs);
    RUN(test_motors);
    RUN(test_limits);
    RUN(test_wide_limits);
    RUN(test_turn_count);
    RUN(test_ball_limits);
    RUN(test_fixed);
    RUN(test_feedback);
    RUN(test_invalid);
    RUN(test_lifecycle);
    RUN(test_connected_no_contacts);
    RUN(test_breakable);
    RUN(test_breakable_collide_restore);
    return TEST_DONE();
}
