// Tests of contact materials (material.h): the default material, the
// documented combination rules, pair overrides, validation, and that the
// combined parameters reach the contacts (Coulomb friction, rolling,
// softness).
#include "harness.h"
#include "test_util.h"

#define NO_MATERIAL PS_MATERIAL_NONE
#define MAT(i) ((ps_material_id){(i), ps_world_tag(w)})
static bool mat_eq(ps_material_id a, ps_material_id b) { return a.index == b.index && a.world == b.world; }

static ps_material_def mdef(const char *name, double mu, double rolling, double e,
                            double bounce_vel, double erp, double cfm)
{
    ps_material_def d = ps_default_material_def();
    d.name = name;
    d.friction = mu;
    d.rolling = rolling;
    d.restitution = e;
    d.bounce_vel = bounce_vel;
    d.softness_erp = erp;
    d.softness_cfm = cfm;
    return d;
}

static void test_default(void)
{
    ps_material_def d = ps_default_material_def();
    CHECK_NEAR(d.friction, 0.8, 1e-15);
    CHECK(d.rolling == 0);
    CHECK(d.restitution == 0);
    CHECK_NEAR(d.bounce_vel, 0.01, 1e-15);
    CHECK(d.softness_erp == 0);
    CHECK(d.softness_cfm == 0);

    ps_world *w = tu_world();
    CHECK(mat_eq(ps_material_find(w, "default"), MAT(0)));
    ps_material_def m;
    CHECK_EQ(ps_material_get(w, PS_MATERIAL_DEFAULT, &m), PS_OK);
    CHECK_EQ(ps_material_get(w, MAT(0), &m), PS_OK);
    CHECK(m.name && strcmp(m.name, "default") == 0);
    CHECK_NEAR(m.friction, 0.8, 1e-15);
    CHECK(m.restitution == 0 && m.rolling == 0);
    CHECK_NEAR(m.bounce_vel, 0.01, 1e-15);
    CHECK_EQ(ps_material_get(w, MAT(1), &m), PS_ERR_INVALID);
    CHECK_EQ(ps_material_get(w, NO_MATERIAL, &m), PS_ERR_INVALID);
    CHECK(!ps_material_is_set(ps_material_find(w, "nope")));
    // default with itself: its own values.
    CHECK_EQ(ps_material_combine(w, PS_MATERIAL_DEFAULT, MAT(0), &m), PS_OK);
    CHECK_NEAR(m.friction, 0.8, 1e-15);
    ps_world_destroy(w);
}

static void test_create_and_get(void)
{
    ps_world *w = tu_world();
    char name[16] = "rubber";
    ps_material_def d = mdef(name, 1.1, 0.002, 0.7, 0.2, 0.4, 1e-4);
    ps_material_id r = ps_material_create(w, &d);
    CHECK(ps_material_is_set(r) && r.index != 0 && r.world == ps_world_tag(w));
    strcpy(name, "XXXXXX"); // copied
    CHECK(mat_eq(ps_material_find(w, "rubber"), r));
    ps_material_def g;
    CHECK_EQ(ps_material_get(w, r, &g), PS_OK);
    CHECK(g.name && strcmp(g.name, "rubber") == 0);
    CHECK(g.friction == 1.1 && g.rolling == 0.002 && g.restitution == 0.7);
    CHECK(g.bounce_vel == 0.2 && g.softness_erp == 0.4 && g.softness_cfm == 1e-4);
    ps_material_id s = ps_material_create(w, &(ps_material_def){ .name = "s", .friction = 0.1 });
    CHECK(ps_material_is_set(s) && !mat_eq(s, r));

    // Duplicate names, including "default", are rejected with a message.
    d.name = "rubber";
    CHECK(!ps_material_is_set(ps_material_create(w, &d)));
    CHECK_HAS(ps_world_last_error(w), "rubber");
    d.name = "default";
    CHECK(!ps_material_is_set(ps_material_create(w, &d)));
    CHECK_HAS(ps_world_last_error(w), "default");
    // The original is untouched.
    CHECK_EQ(ps_material_get(w, r, &g), PS_OK);
    CHECK(g.friction == 1.1);

    // Invalid values.
    const ps_material_def bad[] = {
        mdef(NULL, 0.5, 0, 0, 0.01, 0, 0),   mdef("", 0.5, 0, 0, 0.01, 0, 0),
        mdef("a", -0.1, 0, 0, 0.01, 0, 0),   mdef("b", NAN, 0, 0, 0.01, 0, 0),
        mdef("c", INFINITY, 0, 0, 0.01, 0, 0), mdef("d", 0.5, -1, 0, 0.01, 0, 0),
        mdef("e", 0.5, 0, 1.1, 0.01, 0, 0),  mdef("f", 0.5, 0, -0.1, 0.01, 0, 0),
        mdef("g", 0.5, 0, 0, -1, 0, 0),      mdef("h", 0.5, 0, 0, 0.01, 1.5, 0),
        mdef("i", 0.5, 0, 0, 0.01, -0.1, 0), mdef("j", 0.5, 0, 0, 0.01, 0, -1),
        mdef("k", 0.5, 0, NAN, 0.01, 0, 0),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ps_material_id id = ps_material_create(w, &bad[i]);
        if (!CHECK(!ps_material_is_set(id))) NOTE("bad material #%zu accepted", i);
        else CHECK(ps_world_last_error(w)[0] != '\0');
    }
    // Boundary values are fine.
    ps_material_def edge = mdef("edge", 0, 0, 1, 0, 1, 0);
    CHECK(ps_material_is_set(ps_material_create(w, &edge)));
    ps_world_destroy(w);
}

static void test_combine_rules(void)
{
    ps_world *w = tu_world();
    ps_material_def da = mdef("a", 0.9, 0.01, 0.3, 0.05, 0.5, 1e-4);
    ps_material_def db = mdef("b", 0.4, 0.002, 0.6, 0.02, 0.3, 1e-3);
    ps_material_id a = ps_material_create(w, &da), b = ps_material_create(w, &db);
    ps_material_def ab, ba;
    CHECK_EQ(ps_material_combine(w, a, b, &ab), PS_OK);
    CHECK_EQ(ps_material_combine(w, b, a, &ba), PS_OK);
    // friction = sqrt(mu_a mu_b), rolling/restitution/bounce_vel = max,
    // softness = the softer (smaller ERP, larger CFM).
    CHECK_NEAR(ab.friction, sqrt(0.9 * 0.4), 1e-15);
    CHECK(ab.rolling == 0.01);
    CHECK(ab.restitution == 0.6);
    CHECK(ab.bounce_vel == 0.05);
    CHECK(ab.softness_erp == 0.3);
    CHECK(ab.softness_cfm == 1e-3);
    // Order-independent, bit for bit.
    CHECK(ab.friction == ba.friction && ab.rolling == ba.rolling &&
          ab.restitution == ba.restitution && ab.bounce_vel == ba.bounce_vel &&
          ab.softness_erp == ba.softness_erp && ab.softness_cfm == ba.softness_cfm);
    // Opposite extremes on the other side: each max/min picks per field.
    ps_material_def dc = mdef("c", 0.25, 0.0, 0.9, 0.001, 0.8, 1e-6);
    ps_material_id c = ps_material_create(w, &dc);
    ps_material_def ac;
    CHECK_EQ(ps_material_combine(w, a, c, &ac), PS_OK);
    CHECK_NEAR(ac.friction, sqrt(0.9 * 0.25), 1e-15);
    CHECK(ac.rolling == 0.01);
    CHECK(ac.restitution == 0.9);
    CHECK(ac.bounce_vel == 0.05);
    CHECK(ac.softness_erp == 0.5);
    CHECK(ac.softness_cfm == 1e-4);
    // With itself: unchanged.
    ps_material_def aa;
    CHECK_EQ(ps_material_combine(w, a, a, &aa), PS_OK);
    CHECK_NEAR(aa.friction, 0.9, 1e-15);
    CHECK(aa.restitution == 0.3 && aa.softness_erp == 0.5);
    // Frictionless against anything: 0.
    ps_material_def dice = mdef("ice", 0, 0, 0, 0.01, 0, 0);
    ps_material_id ice = ps_material_create(w, &dice);
    ps_material_def x;
    CHECK_EQ(ps_material_combine(w, ice, a, &x), PS_OK);
    CHECK(x.friction == 0);
    // Against the default (0.8).
    CHECK_EQ(ps_material_combine(w, PS_MATERIAL_DEFAULT, b, &x), PS_OK);
    CHECK_NEAR(x.friction, sqrt(0.8 * 0.4), 1e-15);
    CHECK_EQ(ps_material_combine(w, a, MAT(99), &x), PS_ERR_INVALID);
    ps_world_destroy(w);
}

static void test_pair_override(void)
{
    ps_world *w = tu_world();
    ps_material_def da = mdef("a", 0.9, 0.01, 0.3, 0.05, 0.5, 1e-4);
    ps_material_def db = mdef("b", 0.4, 0.002, 0.6, 0.02, 0.3, 1e-3);
    ps_material_id a = ps_material_create(w, &da), b = ps_material_create(w, &db);
    ps_material_def pair = mdef("ignored", 0.123, 0.0, 0.05, 0.5, 0.9, 1e-7);
    CHECK_EQ(ps_material_set_pair(w, b, a, &pair), PS_OK); // set as (b, a)
    ps_material_def x, y;
    CHECK_EQ(ps_material_combine(w, a, b, &x), PS_OK);
    CHECK_EQ(ps_material_combine(w, b, a, &y), PS_OK);
    CHECK(x.friction == 0.123 && y.friction == 0.123);
    CHECK(x.rolling == 0.0 && x.restitution == 0.05 && x.bounce_vel == 0.5);
    CHECK(x.softness_erp == 0.9 && x.softness_cfm == 1e-7);
    CHECK(y.restitution == 0.05 && y.softness_cfm == 1e-7);
    // The override is not a material: no "ignored" in the table.
    CHECK(!ps_material_is_set(ps_material_find(w, "ignored")));
    // Other pairs still combine.
    CHECK_EQ(ps_material_combine(w, a, PS_MATERIAL_DEFAULT, &x), PS_OK);
    CHECK_NEAR(x.friction, sqrt(0.9 * 0.8), 1e-15);
    CHECK_EQ(ps_material_combine(w, a, a, &x), PS_OK);
    CHECK_NEAR(x.friction, 0.9, 1e-15);
    // Replacing an override; a self pair.
    pair.friction = 0.321;
    CHECK_EQ(ps_material_set_pair(w, a, b, &pair), PS_OK);
    CHECK_EQ(ps_material_combine(w, b, a, &x), PS_OK);
    CHECK(x.friction == 0.321);
    pair.friction = 0.01;
    CHECK_EQ(ps_material_set_pair(w, a, a, &pair), PS_OK);
    CHECK_EQ(ps_material_combine(w, a, a, &x), PS_OK);
    CHECK(x.friction == 0.01);
    CHECK_EQ(ps_material_combine(w, a, b, &x), PS_OK);
    CHECK(x.friction == 0.321);
    // Invalid: unknown ids, bad values (the name is ignored, so NULL is fine).
    CHECK_EQ(ps_material_set_pair(w, a, MAT(77), &pair), PS_ERR_INVALID);
    ps_material_def badp = pair;
    badp.friction = -1;
    CHECK_EQ(ps_material_set_pair(w, a, b, &badp), PS_ERR_INVALID);
    badp = pair;
    badp.restitution = 2;
    CHECK_EQ(ps_material_set_pair(w, a, b, &badp), PS_ERR_INVALID);
    badp = pair;
    badp.name = NULL;
    CHECK_EQ(ps_material_set_pair(w, a, b, &badp), PS_OK);
    ps_world_destroy(w);
}

// Ground plane z = 0 with material `m`.
static void ground_with(ps_world *w, ps_material_id m)
{
    ps_geom_def pl = ps_default_geom_def(PS_GEOM_PLANE);
    pl.plane[2] = 1;
    pl.material = m;
    ps_geom_create(w, PS_BODY_NONE, &pl);
}

// A 0.2 m cube (8 kg) resting on z = 0, with material `m`.
static ps_body_id cube_at(ps_world *w, ps_material_id m, double x, double y)
{
    ps_body_def bd = ps_default_body_def();
    bd.pose = tu_pose(x, y, 0.1);
    ps_body_id b = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.2, 0.2, 0.2);
    g.material = m;
    ps_geom_create(w, b, &g);
    return b;
}

static void test_coulomb_friction(void)
{
    // Friction 0.5 on both sides. A horizontal push of 0.3 m g does not move
    // the cube; 0.8 m g accelerates it at (0.8 - 0.5) g, in any direction
    // (the coefficient is Coulomb's: |tangential| <= mu |normal|). Tolerance
    // on the acceleration 5%; a "static" cube may creep less than 1 mm.
    const double m = 8, g = 9.81, mu = 0.5;
    const double dirs[3][2] = { { 1, 0 }, { 0, 1 }, { 0.70710678118654752, 0.70710678118654752 } };
    for (int k = 0; k < 3; k++) {
        ps_world *w = tu_world();
        ps_material_def md = mdef("half", mu, 0, 0, 0.01, 0, 0);
        ps_material_id half = ps_material_create(w, &md);
        ground_with(w, half);
        ps_body_id hold = cube_at(w, half, 0, 0);
        ps_body_id slide = cube_at(w, half, 0, 3);
        CHECK_EQ(tu_step(w, 50), PS_OK); // settle
        ps_vec3 h0 = tu_pos(w, hold), s0 = tu_pos(w, slide);
        ps_vec3 d = tu_v(dirs[k][0], dirs[k][1], 0);
        for (int i = 0; i < 500; i++) {
            ps_body_add_force(w, hold, tu_scale(d, 0.3 * m * g));
            ps_body_add_force(w, slide, tu_scale(d, 0.8 * m * g));
            if (ps_world_step(w) != PS_OK) break;
        }
        ps_vec3 h1 = tu_pos(w, hold), s1 = tu_pos(w, slide);
        if (!CHECK(tu_norm(tu_sub(h1, h0)) < 0.001)) NOTE("direction %d: static cube crept", k);
        double v = tu_dot(tu_linvel(w, slide), d);
        double want = (0.8 - mu) * g * 1.0;
        if (!CHECK_REL(v, want, 0.05))
            NOTE("direction (%g, %g): sliding speed after 1 s %g, Coulomb gives %g", d.x, d.y, v,
                 want);
        double dist = tu_dot(tu_sub(s1, s0), d);
        CHECK_REL(dist, 0.5 * want, 0.05);
        ps_world_destroy(w);
    }
}

static void test_rolling_and_softness(void)
{
    // A sphere (r = 0.1) rolling at 1 m/s: without rolling resistance it
    // keeps its speed (2%); with rolling = 0.01 m the resisting torque
    // rho m g slows it at rho g / (1.4 r) = 0.70 m/s^2 (10%).
    for (int k = 0; k < 2; k++) {
        ps_world *w = tu_world();
        ps_material_def md = mdef("roll", 0.8, k ? 0.01 : 0.0, 0, 0.01, 0, 0);
        ps_material_id rm = ps_material_create(w, &md);
        ps_geom_def pl = ps_default_geom_def(PS_GEOM_PLANE);
        pl.plane[2] = 1;
        pl.material = rm;
        ps_geom_create(w, PS_BODY_NONE, &pl);
        ps_body_def bd = ps_default_body_def();
        bd.pose = tu_pose(0, 0, 0.1);
        bd.linvel = tu_v(1, 0, 0);
        bd.angvel = tu_v(0, 10, 0); // rolling: v = w r
        ps_body_id s = ps_body_create(w, &bd);
        ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
        g.radius = 0.1;
        g.material = rm;
        ps_geom_create(w, s, &g);
        CHECK_EQ(tu_step(w, 500), PS_OK);
        double v = tu_linvel(w, s).x;
        if (k == 0) {
            CHECK_NEAR(v, 1.0, 0.02);
        } else {
            double loss = 1.0 - v, want = 0.01 * 9.81 / (1.4 * 0.1);
            if (!CHECK_REL(loss, want, 0.10)) NOTE("rolling: speed after 1 s %g", v);
        }
        ps_world_destroy(w);
    }

    // A soft material (CFM 1e-3) lets the cube sink visibly deeper than the
    // default (world CFM 1e-5): about F h cfm / erp = 0.8 mm more. The
    // ground is "default": the softer of the two is the cube's.
    ps_world *w = tu_world();
    ps_material_def soft = mdef("soft", 0.8, 0, 0, 0.01, 0.2, 1e-3);
    ps_material_id sm = ps_material_create(w, &soft);
    ground_with(w, PS_MATERIAL_DEFAULT);
    ps_body_id hard_cube = cube_at(w, PS_MATERIAL_DEFAULT, 0, 0);
    ps_body_id soft_cube = cube_at(w, sm, 2, 0);
    CHECK_EQ(tu_step(w, 500), PS_OK);
    double zh = tu_pos(w, hard_cube).z, zs = tu_pos(w, soft_cube).z;
    if (!CHECK(zs < zh - 0.0004)) NOTE("hard cube z %g, soft cube z %g", zh, zs);
    CHECK(zs > 0.09);
    ps_world_destroy(w);
}

int main(void)
{
    RUN(test_default);
    RUN(test_create_and_get);
    RUN(test_combine_rules);
    RUN(test_pair_override);
    RUN(test_coulomb_friction);
    RUN(test_rolling_and_softness);
    return TEST_DONE();
}
