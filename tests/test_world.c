// Tests of the world (world.h): defaults, def validation, lifecycle, time,
// state hashing and determinism, contacts, divergence detection.
#include "harness.h"
#include "test_util.h"

#include <inttypes.h>

static void test_default_def(void)
{
    ps_world_def d = ps_default_world_def();
    CHECK(d.gravity.x == 0 && d.gravity.y == 0);
    CHECK_NEAR(d.gravity.z, -9.81, 1e-12);
    CHECK_NEAR(d.timestep, 0.002, 1e-15);
    CHECK_EQ(d.iterations, 20);
    CHECK_NEAR(d.sor, 1.3, 1e-12);
    CHECK_NEAR(d.erp, 0.2, 1e-12);
    CHECK_NEAR(d.cfm, 1e-5, 1e-15);
    CHECK_NEAR(d.contact_surface_layer, 0.001, 1e-15);
    CHECK_NEAR(d.max_correcting_vel, 1.0, 1e-12);
    CHECK_EQ(d.max_contacts, 8);
    CHECK_EQ(d.space, PS_SPACE_HASH);
    CHECK_NEAR(d.max_linear_speed, 1000, 1e-9);
    CHECK_NEAR(d.max_angular_speed, 10000, 1e-9);
    CHECK(d.seed == 0);
    CHECK(d.log.fn == NULL);
}

// Expects ps_world_create to reject `d` with a message containing `field`.
static void expect_rejected(const ps_world_def *d, const char *field, int line)
{
    char err[PS_ERR_LEN];
    memset(err, 0, sizeof err);
    ps_world *w = ps_world_create(d, err, sizeof err);
    ps_t_check(w == NULL, "invalid world def rejected", __FILE__, line);
    if (w) {
        NOTE("def with bad '%s' was accepted", field);
        ps_world_destroy(w);
        return;
    }
    ps_t_check_has(err, field, "err", __FILE__, line);
}

#define REJECT(mod, field) \
    do { \
        ps_world_def d_ = tu_world_def(); \
        mod; \
        expect_rejected(&d_, field, __LINE__); \
    } while (0)

static void test_invalid_defs(void)
{
    REJECT(d_.timestep = 0, "timestep");
    REJECT(d_.timestep = -0.001, "timestep");
    REJECT(d_.timestep = NAN, "timestep");
    REJECT(d_.timestep = INFINITY, "timestep");
    REJECT(d_.iterations = 0, "iterations");
    REJECT(d_.iterations = -3, "iterations");
    REJECT(d_.gravity.z = NAN, "gravity");
    REJECT(d_.gravity.x = INFINITY, "gravity");
    REJECT(d_.max_contacts = 0, "max_contacts");
    REJECT(d_.max_contacts = 65, "max_contacts");
    REJECT(d_.sor = 0, "sor");
    REJECT(d_.sor = 2, "sor");
    REJECT(d_.sor = NAN, "sor");
    REJECT(d_.erp = -0.1, "erp");
    REJECT(d_.erp = 1.5, "erp");
    REJECT(d_.erp = NAN, "erp");
    REJECT(d_.cfm = -1e-5, "cfm");
    REJECT(d_.cfm = NAN, "cfm");
    REJECT(d_.contact_surface_layer = -0.001, "contact_surface_layer");
    REJECT(d_.contact_surface_layer = NAN, "contact_surface_layer");
    REJECT(d_.max_correcting_vel = 0, "max_correcting_vel");
    REJECT(d_.max_correcting_vel = -1, "max_correcting_vel");
    REJECT(d_.max_correcting_vel = NAN, "max_correcting_vel");
    REJECT(d_.max_linear_speed = NAN, "max_linear_speed");
    REJECT(d_.max_linear_speed = -1, "max_linear_speed");
    REJECT(d_.max_angular_speed = NAN, "max_angular_speed");
    REJECT(d_.space = (ps_space_kind)99, "space");

    // Boundary values that are valid.
    ps_world_def ok = tu_world_def();
    ok.iterations = 1;
    ok.max_contacts = 64;
    ok.erp = 1;
    ok.cfm = 0;
    ok.contact_surface_layer = 0;
    ok.max_correcting_vel = INFINITY;
    ok.gravity = tu_v(0, 0, 0);
    char err[PS_ERR_LEN] = "";
    ps_world *w = ps_world_create(&ok, err, sizeof err);
    if (!CHECK(w != NULL)) NOTE("boundary def rejected: %s", err);
    ps_world_destroy(w);

    // err may be NULL; a short buffer is truncated and NUL-terminated.
    ps_world_def bad = tu_world_def();
    bad.timestep = 0;
    CHECK(ps_world_create(&bad, NULL, 0) == NULL);
    char small[16];
    memset(small, 'X', sizeof small);
    CHECK(ps_world_create(&bad, small, 8) == NULL);
    CHECK(memchr(small, '\0', 8) != NULL);
    int untouched = 1;
    for (int i = 8; i < 16; i++) untouched &= small[i] == 'X';
    CHECK(untouched);
}

static void test_create_destroy(void)
{
    ps_world_destroy(NULL); // no-op
    ps_world_def d = tu_world_def();
    d.timestep = 0.005;
    d.iterations = 30;
    d.seed = 77;
    ps_world *w = tu_world_from(&d, "create");
    const ps_world_def *g = ps_world_get_def(w);
    CHECK(g != NULL);
    if (g) {
        CHECK(g->timestep == 0.005);
        CHECK_EQ(g->iterations, 30);
        CHECK(g->seed == 77);
    }
    CHECK(ps_world_time(w) == 0.0);
    CHECK(ps_world_step_count(w) == 0);
    CHECK(ps_world_divergence(w) == NULL);
    CHECK(ps_world_last_error(w) != NULL && ps_world_last_error(w)[0] == '\0');
    CHECK_EQ(ps_world_body_count(w), 0);
    CHECK_EQ(ps_world_joint_count(w), 0);
    CHECK_EQ(ps_world_geom_count(w), 0);
    size_t n = 99;
    const ps_contact *c = ps_world_contacts(w, &n);
    CHECK(c == NULL);
    CHECK_EQ(n, 0);
    ps_world_destroy(w);

    // Many worlds alive at once, destroyed in another order, with content.
    ps_world *ws[4];
    for (int i = 0; i < 4; i++) {
        ws[i] = tu_world();
        tu_ground(ws[i]);
        tu_box_body(ws[i], "b", tu_pose(0, 0, 1 + i), 0.2, 0.2, 0.2, 500);
        CHECK_EQ(tu_step(ws[i], 10), PS_OK);
    }
    ps_world_destroy(ws[2]);
    ps_world_destroy(ws[0]);
    ps_world_destroy(ws[3]);
    ps_world_destroy(ws[1]);
}

static void test_time_and_steps(void)
{
    ps_world_def d = tu_world_def();
    d.timestep = 0.004;
    ps_world *w = tu_world_from(&d, "time");
    for (int i = 1; i <= 250; i++) {
        if (ps_world_step(w) != PS_OK) {
            CHECK(!"step failed");
            break;
        }
    }
    CHECK(ps_world_step_count(w) == 250);
    // Time is steps * dt (1e-12 s covers either accumulation or multiplication).
    CHECK_NEAR(ps_world_time(w), 1.0, 1e-12);
    ps_world_destroy(w);
}

static void test_counts_and_iteration(void)
{
    ps_world *w = tu_world();
    ps_body_id a = tu_box_body(w, "a", tu_pose(0, 0, 1), 0.1, 0.1, 0.1, 1000);
    ps_body_id b = tu_box_body(w, "b", tu_pose(1, 0, 1), 0.1, 0.1, 0.1, 1000);
    ps_body_id c = tu_box_body(w, "c", tu_pose(2, 0, 1), 0.1, 0.1, 0.1, 1000);
    tu_ground(w);
    CHECK_EQ(ps_world_body_count(w), 3);
    CHECK_EQ(ps_world_geom_count(w), 4);
    CHECK(tu_same_body(ps_world_body_at(w, 0), a));
    CHECK(tu_same_body(ps_world_body_at(w, 1), b));
    CHECK(tu_same_body(ps_world_body_at(w, 2), c));
    CHECK(!ps_body_is_set(ps_world_body_at(w, 3)));
    CHECK_EQ(ps_body_destroy(w, b), PS_OK);
    CHECK_EQ(ps_world_body_count(w), 2);
    CHECK_EQ(ps_world_geom_count(w), 3); // the body's geom went with it
    CHECK(tu_same_body(ps_world_body_at(w, 0), a));
    CHECK(tu_same_body(ps_world_body_at(w, 1), c));
    CHECK(!ps_body_is_set(ps_world_body_at(w, 2)));
    ps_world_destroy(w);
}

// A scene with enough contacts for QuickStep's constraint shuffling to matter:
// a ground plane and a loose pile of rotated boxes.
static ps_world *build_pile(uint64_t seed)
{
    ps_world_def d = tu_world_def();
    d.seed = seed;
    ps_world *w = tu_world_from(&d, "pile");
    tu_ground(w);
    for (int i = 0; i < 6; i++) {
        ps_pose p = tu_pose(0.05 * (i % 3), 0.03 * (i % 2), 0.15 + 0.22 * i);
        p.q = tu_quat_axis(0, 0, 1, 0.3 * i);
        char name[16];
        snprintf(name, sizeof name, "box%d", i);
        tu_box_body(w, name, p, 0.2, 0.15, 0.2, 700);
    }
    return w;
}

static bool same_bits_all_bodies(const ps_world *a, const ps_world *b)
{
    size_t n = ps_world_body_count(a);
    if (n != ps_world_body_count(b)) return false;
    for (size_t i = 0; i < n; i++) {
        ps_pose pa, pb;
        if (ps_body_get_pose(a, ps_world_body_at(a, i), &pa) != PS_OK) return false;
        if (ps_body_get_pose(b, ps_world_body_at(b, i), &pb) != PS_OK) return false;
        if (memcmp(&pa, &pb, sizeof pa) != 0) return false;
    }
    return true;
}

static void test_state_hash(void)
{
    // Identical builds hash equal before and after stepping.
    ps_world *a = build_pile(5), *b = build_pile(5);
    CHECK(ps_world_state_hash(a) == ps_world_state_hash(b));

    // The hash changes with motion (a falling box) at every step.
    uint64_t prev = ps_world_state_hash(a);
    int changed = 1;
    for (int i = 0; i < 20; i++) {
        CHECK_EQ(ps_world_step(a), PS_OK);
        uint64_t h = ps_world_state_hash(a);
        changed &= h != prev;
        prev = h;
    }
    CHECK(changed);

    // Same build run alone (a) vs interleaved with another world stepping in
    // between (b, with `noise` perturbing ODE's process-wide RNG): QuickStep
    // must use each world's own seed, so the trajectories stay bit-identical.
    CHECK_EQ(tu_step(a, 280), PS_OK); // a: 300 steps alone
    ps_world *noise = build_pile(999);
    for (int i = 0; i < 300; i++) {
        CHECK_EQ(ps_world_step(b), PS_OK);
        CHECK_EQ(ps_world_step(noise), PS_OK);
        CHECK_EQ(ps_world_step(noise), PS_OK);
    }
    CHECK(ps_world_step_count(a) == 300 && ps_world_step_count(b) == 300);
    if (!CHECK(ps_world_state_hash(a) == ps_world_state_hash(b)))
        NOTE("hash alone %016" PRIx64 ", interleaved %016" PRIx64, ps_world_state_hash(a),
             ps_world_state_hash(b));
    CHECK(same_bits_all_bodies(a, b));
    CHECK(ps_world_solver_seed(a) == ps_world_solver_seed(b));

    // The solver seed moves while contacts are being solved.
    uint64_t s0 = ps_world_solver_seed(a);
    CHECK_EQ(ps_world_step(a), PS_OK);
    CHECK(ps_world_solver_seed(a) != s0);

    // A different world seed shuffles differently: the hash and (at bit level)
    // the poses differ from the seed-5 run.
    ps_world *c = build_pile(6);
    CHECK_EQ(tu_step(c, 300), PS_OK);
    CHECK(ps_world_state_hash(c) != ps_world_state_hash(b));
    CHECK(!same_bits_all_bodies(c, b));

    ps_world_destroy(noise);
    ps_world_destroy(c);
    ps_world_destroy(b);
    ps_world_destroy(a);

    // An empty world's hash still depends on the step count.
    ps_world *e = tu_world();
    uint64_t h0 = ps_world_state_hash(e);
    CHECK_EQ(ps_world_step(e), PS_OK);
    CHECK(ps_world_state_hash(e) != h0);
    ps_world_destroy(e);
}

static void test_contacts_resting_box(void)
{
    // The three spaces, then hash and SAP with static geoms in their own quadtree.
    const ps_space_kind kinds[5] = { PS_SPACE_HASH, PS_SPACE_SAP, PS_SPACE_SIMPLE, PS_SPACE_HASH, PS_SPACE_SAP };
    for (int k = 0; k < 5; k++) {
        ps_world_def d = tu_world_def();
        d.space = kinds[k];
        d.static_space = k >= 3;
        ps_world *w = tu_world_from(&d, "contacts");
        ps_geom_id ground = tu_ground(w);
        CHECK(tu_geom_set(ground));
        // 0.2 m cube of density 1000: 8 kg.
        ps_body_id box = tu_box_body(w, "box", tu_pose(0, 0, 0.1), 0.2, 0.2, 0.2, 1000);
        CHECK_EQ(tu_step(w, 250), PS_OK); // 0.5 s to settle
        size_t n = 0;
        const ps_contact *c = ps_world_contacts(w, &n);
        if (!CHECK(n > 0 && c != NULL)) {
            NOTE("space kind %d: no contacts", k);
            ps_world_destroy(w);
            continue;
        }
        double fz = 0;
        int normals_ok = 1, bodies_ok = 1, depth_ok = 1;
        for (size_t i = 0; i < n; i++) {
            bool b1 = tu_same_body(c[i].body1, box), b2 = tu_same_body(c[i].body2, box);
            bodies_ok &= (b1 && !ps_body_is_set(c[i].body2)) ||
                         (b2 && !ps_body_is_set(c[i].body1));
            normals_ok &= fabs(tu_norm(c[i].normal) - 1) < 1e-9;
            // The normal points from geom2 into geom1: up when the box is geom1.
            normals_ok &= (b1 ? c[i].normal.z : -c[i].normal.z) > 0.999;
            depth_ok &= c[i].depth >= 0 && c[i].depth < 0.01;
            fz += b1 ? c[i].force.z : -c[i].force.z;
            depth_ok &= fabs(c[i].pos.z) < 0.01;
        }
        CHECK(bodies_ok);
        CHECK(normals_ok);
        CHECK(depth_ok);
        // At rest the contact forces on the box carry its weight, 8 kg * 9.81
        // (tolerance 2%).
        if (!CHECK_REL(fz, 8 * 9.81, 0.02)) NOTE("space kind %d", k);
        ps_vec3 p = tu_pos(w, box);
        CHECK_NEAR(p.z, 0.1, 0.002); // resting on the plane (surface layer 1 mm)
        ps_world_destroy(w);
    }
}

static void test_contact_forces_off(void)
{
    // Without contact_forces the contacts are still listed, with zero force,
    // and the trajectory is the same bits as with them (feedback only reads).
    uint64_t hash[2];
    for (int on = 0; on < 2; on++) {
        ps_world_def d = tu_world_def();
        d.contact_forces = on;
        ps_world *w = tu_world_from(&d, "contact_forces");
        tu_ground(w);
        tu_box_body(w, "box", tu_pose(0, 0, 0.1), 0.2, 0.2, 0.2, 1000);
        CHECK_EQ(tu_step(w, 100), PS_OK);
        size_t n = 0;
        const ps_contact *c = ps_world_contacts(w, &n);
        CHECK(n > 0);
        double f = 0;
        for (size_t i = 0; i < n; i++) f += fabs(c[i].force.z);
        if (on) CHECK_REL(f, 8 * 9.81, 0.02);
        else CHECK_EQ(f, 0);
        hash[on] = ps_world_state_hash(w);
        if (!on) {
            // Turned on later (a reader appeared): measured from the next step on.
            CHECK(!ps_world_contact_forces(w));
            ps_world_set_contact_forces(w, true);
            CHECK(ps_world_contact_forces(w));
            CHECK_EQ(tu_step(w, 1), PS_OK);
            c = ps_world_contacts(w, &n);
            f = 0;
            for (size_t i = 0; i < n; i++) f += fabs(c[i].force.z);
            CHECK_REL(f, 8 * 9.81, 0.02);
        }
        ps_world_destroy(w);
    }
    CHECK(hash[0] == hash[1]);
    // A contact sensor turns them on when it is made.
    ps_world_def d = tu_world_def();
    d.contact_forces = false;
    ps_world *w = tu_world_from(&d, "contact_sensor_forces");
    tu_ground(w);
    ps_body_id box = tu_box_body(w, "box", tu_pose(0, 0, 0.1), 0.2, 0.2, 0.2, 1000);
    ps_sensor_def sd = ps_default_sensor_def(PS_SENSOR_CONTACT);
    sd.name = "touch";
    sd.body = box;
    ps_sensor_id s = ps_sensor_create(w, &sd);
    CHECK(ps_world_contact_forces(w));
    CHECK_EQ(tu_step(w, 100), PS_OK);
    size_t count = 0;
    const float *v = ps_sensor_data(w, s, &count);
    if (CHECK(v && count == 3)) CHECK_REL(v[1], 8 * 9.81, 0.02);
    ps_world_destroy(w);
}

static void test_divergence_linear(void)
{
    ps_world_def d = tu_world_def();
    d.gravity = tu_v(0, 0, 0);
    ps_world *w = tu_world_from(&d, "diverge");
    tu_sphere_body(w, "calm", tu_pose(0, 5, 0), 0.1, 1000);
    ps_body_id b = tu_sphere_body(w, "rocket", tu_pose(0, 0, 0), 0.1, 1000);
    // Below the bound: fine.
    CHECK_EQ(ps_body_set_linvel(w, b, tu_v(900, 0, 0)), PS_OK);
    CHECK_EQ(tu_step(w, 5), PS_OK);
    CHECK(ps_world_divergence(w) == NULL);
    // Above max_linear_speed (1000 m/s).
    CHECK_EQ(ps_body_set_linvel(w, b, tu_v(0, 2000, 0)), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_ERR_DIVERGED);
    const char *why = ps_world_divergence(w);
    CHECK_HAS(why, "rocket");
    CHECK_HAS(why, "step");
    // It diverged in the 6th step (after 5 healthy ones): the message says so
    // (as "step 6"; "step 5" would be the count of completed steps).
    if (why && !strstr(why, "step 6") && !strstr(why, "step 5")) {
        CHECK(!"divergence message names the step number");
        NOTE("message: %s", why);
    } else if (why) {
        CHECK(1);
        if (!strstr(why, "step 6")) NOTE("message numbers the step as completed steps: %s", why);
    }
    CHECK(why == NULL || strstr(why, "calm") == NULL);
    // Sticky: later steps keep failing.
    CHECK_EQ(ps_world_step(w), PS_ERR_DIVERGED);
    CHECK(ps_world_divergence(w) != NULL);
    ps_world_destroy(w);
}

static void test_divergence_angular(void)
{
    ps_world_def d = tu_world_def();
    d.gravity = tu_v(0, 0, 0);
    d.max_angular_speed = 500;
    ps_world *w = tu_world_from(&d, "diverge-ang");
    ps_body_id b = tu_box_body(w, "spinner", tu_pose(0, 0, 0), 0.1, 0.1, 0.1, 1000);
    CHECK_EQ(ps_body_set_angvel(w, b, tu_v(0, 0, 400)), PS_OK);
    CHECK_EQ(tu_step(w, 3), PS_OK);
    CHECK_EQ(ps_body_set_angvel(w, b, tu_v(0, 0, 600)), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_ERR_DIVERGED);
    CHECK_HAS(ps_world_divergence(w), "spinner");
    ps_world_destroy(w);

    // A custom linear bound applies, too.
    d = tu_world_def();
    d.max_linear_speed = 10;
    w = tu_world_from(&d, "diverge-fall");
    tu_sphere_body(w, "faller", tu_pose(0, 0, 100), 0.1, 1000);
    // Free fall passes 10 m/s after ~1.02 s (510 steps at 2 ms).
    ps_status s = PS_OK;
    int steps = 0;
    while (steps < 1000 && (s = ps_world_step(w)) == PS_OK) steps++;
    CHECK_EQ(s, PS_ERR_DIVERGED);
    CHECK(steps >= 505 && steps <= 515);
    CHECK_HAS(ps_world_divergence(w), "faller");
    ps_world_destroy(w);
}

static void test_divergence_non_finite(void)
{
    // Forces that are finite one by one can still add up to infinity in the
    // accumulator; the step must report divergence, not carry NaNs on.
    ps_world *w = tu_world_nograv();
    ps_body_id b = tu_sphere_body(w, "blown", tu_pose(0, 0, 0), 0.1, 1000);
    CHECK_EQ(ps_body_add_force(w, b, tu_v(1e308, 0, 0)), PS_OK);
    CHECK_EQ(ps_body_add_force(w, b, tu_v(1e308, 0, 0)), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_ERR_DIVERGED);
    CHECK_HAS(ps_world_divergence(w), "blown");
    ps_world_destroy(w);
}


// def.static_space: static geoms in a quadtree of their own, built at the first
// step. Static geoms made later, static bodies moved after it, and static geoms
// far outside the first static bounds all still collide; static-static overlaps
// make no contacts.
static ps_geom_id static_box(ps_world *w, ps_body_id on, double x, double y, double z, double size)
{
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(size, size, size);
    g.pose = tu_pose(x, y, z);
    return ps_geom_create(w, on, &g);
}

// One random world of the broad-phase test (below), the same for the same seed
// whatever the world's space: a ground plane, a tilted plane far off, a long
// wall (more grid cells than a geom may span), static boxes, cylinders and
// spheres, a static trimesh ramp and a heightfield, a static body, and dynamic
// bodies of every shape (some with two geoms, some filtered by category and
// collide bits or a shared group) dropped onto them, and a kinematic box
// sweeping through.
typedef struct bp_world {
    ps_world *w;
    ps_body_id dyn[40], kin, stat;
    int ndyn;
} bp_world;

static ps_geom_id bp_geom(ps_world *w, ps_body_id on, ps_geom_type type, ps_rng *r, double x, double y, double z)
{
    ps_geom_def g = ps_default_geom_def(type);
    g.pose = tu_pose(x, y, z);
    g.pose.q = tu_quat_axis(ps_rng_uniform(r), ps_rng_uniform(r), 1, 6.3 * ps_rng_uniform(r));
    g.size = tu_v(0.1 + 0.5 * ps_rng_uniform(r), 0.1 + 0.5 * ps_rng_uniform(r), 0.1 + 0.5 * ps_rng_uniform(r));
    g.radius = 0.05 + 0.25 * ps_rng_uniform(r);
    g.length = 0.1 + 0.5 * ps_rng_uniform(r);
    return ps_geom_create(w, on, &g);
}

static bool bp_build(bp_world *bw, ps_space_kind space, bool static_space, uint64_t seed)
{
    ps_world_def d = tu_world_def();
    d.space = space;
    d.static_space = static_space;
    d.seed = seed;
    bw->w = tu_world_from(&d, "broad phase world");
    if (!bw->w) return false;
    ps_world *w = bw->w;
    ps_rng r;
    ps_rng_seed(&r, seed);
    tu_ground(w);
    ps_geom_def pl = ps_default_geom_def(PS_GEOM_PLANE);
    pl.plane[0] = 0.3, pl.plane[1] = 0, pl.plane[2] = 1, pl.plane[3] = -4.0; // solid below z = -4 - 0.3 x: far off at -x
    ps_geom_create(w, PS_BODY_NONE, &pl);
    ps_geom_def wall = ps_default_geom_def(PS_GEOM_BOX);
    wall.size = tu_v(40, 0.2, 0.6);
    wall.pose = tu_pose(0, 3.2, 0.3);
    ps_geom_create(w, PS_BODY_NONE, &wall);
    static const ps_geom_type shapes[] = {PS_GEOM_BOX, PS_GEOM_SPHERE, PS_GEOM_CAPSULE, PS_GEOM_CYLINDER};
    for (int i = 0; i < 30; i++)
        bp_geom(w, PS_BODY_NONE, shapes[i % 4], &r, -3 + 6 * ps_rng_uniform(&r), -3 + 6 * ps_rng_uniform(&r),
                0.1 * ps_rng_uniform(&r));
    // A ramp of two triangles and a 4 x 4 heightfield.
    static const double rv[] = {-1, -1, 0, 1, -1, 0, 1, 1, 0.6, -1, 1, 0.6};
    static const int ri[] = {0, 1, 2, 0, 2, 3};
    ps_geom_def tm = ps_default_geom_def(PS_GEOM_TRIMESH);
    tm.vertices = rv, tm.vertex_count = 4, tm.indices = ri, tm.tri_count = 2;
    tm.pose = tu_pose(2, -2, 0);
    ps_geom_create(w, PS_BODY_NONE, &tm);
    double hts[16];
    for (int i = 0; i < 16; i++) hts[i] = 0.3 * ps_rng_uniform(&r);
    ps_geom_def hf = ps_default_geom_def(PS_GEOM_HEIGHTFIELD);
    hf.heights = hts, hf.rows = 4, hf.cols = 4, hf.size = tu_v(2, 2, 0);
    hf.pose = tu_pose(-2, -2, 0);
    ps_geom_create(w, PS_BODY_NONE, &hf);
    ps_body_def sd = ps_default_body_def();
    sd.kind = PS_BODY_STATIC;
    sd.pose = tu_pose(0, -6, 0);
    bw->stat = ps_body_create(w, &sd);
    bp_geom(w, bw->stat, PS_GEOM_BOX, &r, 0, 0, 0.2);
    bw->ndyn = 0;
    for (int i = 0; i < 36; i++) {
        ps_body_def bd = ps_default_body_def();
        bd.pose = tu_pose(-1.5 + 3 * ps_rng_uniform(&r), -1.5 + 3 * ps_rng_uniform(&r), 0.8 + 3 * ps_rng_uniform(&r));
        bd.pose.q = tu_quat_axis(1, ps_rng_uniform(&r), 0, 6.3 * ps_rng_uniform(&r));
        ps_body_id b = ps_body_create(w, &bd);
        ps_geom_def g = ps_default_geom_def(shapes[i % 4]);
        bp_geom(w, b, shapes[i % 4], &r, 0, 0, 0);
        if (i % 5 == 0) bp_geom(w, b, shapes[(i + 1) % 4], &r, 0.2, 0, 0);
        if (i % 7 == 3) { // touches only category-2 geoms, and none of its group
            g = ps_default_geom_def(PS_GEOM_SPHERE);
            g.radius = 0.15, g.category = 2, g.collide = 2, g.group = 5;
            g.pose = tu_pose(0, 0.25, 0);
            ps_geom_create(w, b, &g);
        }
        bw->dyn[bw->ndyn++] = b;
    }
    ps_body_def kd = ps_default_body_def();
    kd.kind = PS_BODY_KINEMATIC;
    kd.pose = tu_pose(-5, 0, 0.3);
    bw->kin = ps_body_create(w, &kd);
    bp_geom(w, bw->kin, PS_GEOM_BOX, &r, 0, 0, 0);
    ps_body_set_linvel(w, bw->kin, tu_v(2.0, 0, 0));
    return true;
}

// Changes in the middle of a run: a static geom added and one body destroyed
// at step 150, the static body moved under the pile at step 250.
static void bp_change(bp_world *bw, int step)
{
    ps_world *w = bw->w;
    if (step == 150) {
        ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
        g.size = tu_v(1, 1, 0.3);
        g.pose = tu_pose(1, 1, 0.15);
        ps_geom_create(w, PS_BODY_NONE, &g);
        ps_body_destroy(w, bw->dyn[7]);
    }
    if (step == 250) ps_body_set_pose(w, bw->stat, tu_pose(0.5, 0.5, 0));
}

// The default space collides through pilotsim's own broad phase (broad.c),
// with or without static_space; ODE's simple space tests every pair with
// ODE's own filter. Both must find the same pairs, hence the same contacts
// (sorted by geom slots) and bit-identical trajectories, step after step, for
// several random worlds.
static void test_broad_phase(void)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        bp_world a, b;
        CHECK(bp_build(&a, PS_SPACE_HASH, seed % 2 == 0, seed));
        CHECK(bp_build(&b, PS_SPACE_SIMPLE, false, seed));
        if (!a.w || !b.w) return;
        int first_diff = -1;
        size_t contacts = 0, most = 0;
        for (int step = 0; step < 400 && first_diff < 0; step++) {
            bp_change(&a, step);
            bp_change(&b, step);
            CHECK_EQ(ps_world_step(a.w), PS_OK);
            CHECK_EQ(ps_world_step(b.w), PS_OK);
            size_t na = 0, nb = 0;
            ps_world_contacts(a.w, &na);
            ps_world_contacts(b.w, &nb);
            if (na != nb || ps_world_state_hash(a.w) != ps_world_state_hash(b.w)) first_diff = step;
            contacts += na;
            if (na > most) most = na;
        }
        if (first_diff >= 0) NOTE("seed %" PRIu64 ": the trajectories differ from step %d", seed, first_diff);
        CHECK_EQ(first_diff, -1);
        CHECK(most > 30); // the pile really touches
        NOTE("seed %" PRIu64 ": %zu contacts over 400 steps, at most %zu", seed, contacts, most);
        ps_world_destroy(a.w);
        ps_world_destroy(b.w);
    }
}

// Step timing is a profiler's (pilotsim view's F4): off by default, it reads
// no clock and the timers stay 0; on, they count.
static void test_step_timing(void)
{
    ps_world *w = tu_world();
    tu_ground(w);
    tu_sphere_body(w, "ball", tu_pose(0, 0, 0.5), 0.1, 1000);
    CHECK(!ps_world_timing(w));
    CHECK_EQ(tu_step(w, 50), PS_OK);
    double total = -1, sensors = -1;
    ps_world_step_seconds(w, &total, &sensors);
    CHECK(total == 0 && sensors == 0);
    ps_world_set_timing(w, true);
    CHECK(ps_world_timing(w));
    CHECK_EQ(tu_step(w, 50), PS_OK);
    ps_world_step_seconds(w, &total, NULL);
    CHECK(total > 0 && total < 10);
    ps_world_destroy(w);
}

static void test_static_space(void)
{
    ps_world_def d = tu_world_def();
    d.static_space = true;
    ps_world *w = tu_world_from(&d, "static space");
    CHECK(tu_geom_set(tu_ground(w)));
    // Two overlapping static boxes at x = 0, a sphere dropped on them.
    CHECK(tu_geom_set(static_box(w, PS_BODY_NONE, 0, 0, 0.5, 1.0)));
    CHECK(tu_geom_set(static_box(w, PS_BODY_NONE, 0.3, 0, 0.5, 1.0)));
    ps_body_id a = tu_sphere_body(w, "a", tu_pose(0, 0, 1.3), 0.1, 1000);
    CHECK_EQ(tu_step(w, 1), PS_OK); // builds the quadtree over x in [-0.5, 0.8]
    // Made after the tree: a static box 50 m away (outside its first bounds)
    // under a second sphere, and a static body moved under a third.
    CHECK(tu_geom_set(static_box(w, PS_BODY_NONE, 50, 0, 0.5, 1.0)));
    ps_body_id b = tu_sphere_body(w, "b", tu_pose(50, 0, 1.3), 0.1, 1000);
    ps_body_def sd = ps_default_body_def();
    sd.kind = PS_BODY_STATIC;
    sd.pose = tu_pose(-20, 5, 0);
    ps_body_id st = ps_body_create(w, &sd);
    CHECK(tu_geom_set(static_box(w, st, 0, 0, 0.5, 1.0)));
    CHECK_EQ(tu_step(w, 1), PS_OK);
    CHECK_EQ(ps_body_set_pose(w, st, tu_pose(-5, 0, 0)), PS_OK);
    ps_body_id c = tu_sphere_body(w, "c", tu_pose(-5, 0, 1.3), 0.1, 1000);
    CHECK_EQ(tu_step(w, 500), PS_OK);
    // Each sphere rests on its box top (z = 1 + radius), not on the ground.
    CHECK_NEAR(tu_pos(w, a).z, 1.1, 0.003);
    CHECK_NEAR(tu_pos(w, b).z, 1.1, 0.003);
    CHECK_NEAR(tu_pos(w, c).z, 1.1, 0.003);
    size_t n = 0;
    const ps_contact *ct = ps_world_contacts(w, &n);
    int static_pairs = 0;
    for (size_t i = 0; i < n; i++) static_pairs += !ps_body_is_set(ct[i].body1) && !ps_body_is_set(ct[i].body2);
    CHECK_EQ(static_pairs, 0);
    CHECK_EQ((int)n >= 3, 1);
    ps_world_destroy(w);
}

int main(void)
{
    RUN(test_default_def);
    RUN(test_invalid_defs);
    RUN(test_create_destroy);
    RUN(test_time_and_steps);
    RUN(test_counts_and_iteration);
    RUN(test_state_hash);
    RUN(test_contacts_resting_box);
    RUN(test_contact_forces_off);
    RUN(test_static_space);
    RUN(test_broad_phase);
    RUN(test_step_timing);
    RUN(test_divergence_linear);
    RUN(test_divergence_angular);
    RUN(test_divergence_non_finite);
    return TEST_DONE();
}
