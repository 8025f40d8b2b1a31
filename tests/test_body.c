// Tests of rigid bodies (body.h): kinds, generation-checked ids, names, mass
// properties and centre-of-mass offsets, validation, forces, kinematic motion.
#include "harness.h"
#include "test_util.h"

static void test_default_def(void)
{
    ps_body_def d = ps_default_body_def();
    CHECK(d.name == NULL);
    CHECK_EQ(d.kind, PS_BODY_DYNAMIC);
    CHECK(d.pose.p.x == 0 && d.pose.p.y == 0 && d.pose.p.z == 0);
    CHECK(d.pose.q.w == 1 && d.pose.q.x == 0 && d.pose.q.y == 0 && d.pose.q.z == 0);
    CHECK(d.linvel.x == 0 && d.linvel.y == 0 && d.linvel.z == 0);
    CHECK(d.angvel.x == 0 && d.angvel.y == 0 && d.angvel.z == 0);
    CHECK(d.mass == 0);
    CHECK(!d.has_inertia);
    CHECK(d.linear_damping == 0 && d.angular_damping == 0);
    CHECK(d.gravity);
}

static void test_create_kinds(void)
{
    ps_world *w = tu_world();
    ps_body_def d = ps_default_body_def();
    d.name = "dyn";
    d.pose = tu_pose(0, 0, 1);
    ps_body_id dyn = ps_body_create(w, &d);
    CHECK(ps_body_is_set(dyn));
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.1, 0.1, 0.1);
    CHECK(tu_geom_set(ps_geom_create(w, dyn, &g)));

    d.name = "kin";
    d.kind = PS_BODY_KINEMATIC;
    d.pose = tu_pose(1, 0, 1);
    ps_body_id kin = ps_body_create(w, &d);
    CHECK(ps_body_is_set(kin));
    CHECK(tu_geom_set(ps_geom_create(w, kin, &g)));

    d.name = "stat";
    d.kind = PS_BODY_STATIC;
    d.pose = tu_pose(2, 0, 1);
    ps_body_id st = ps_body_create(w, &d);
    CHECK(ps_body_is_set(st));
    CHECK(tu_geom_set(ps_geom_create(w, st, &g)));

    CHECK(ps_body_valid(w, dyn) && ps_body_valid(w, kin) && ps_body_valid(w, st));
    CHECK_EQ(ps_body_get_kind(w, dyn), PS_BODY_DYNAMIC);
    CHECK_EQ(ps_body_get_kind(w, kin), PS_BODY_KINEMATIC);
    CHECK_EQ(ps_body_get_kind(w, st), PS_BODY_STATIC);
    CHECK_EQ(ps_world_body_count(w), 3);
    // Distinct ids.
    CHECK(!tu_same_body(dyn, kin) && !tu_same_body(kin, st) && !tu_same_body(dyn, st));

    // Static bodies report zero mass and never move.
    double m = -1;
    ps_vec3 com;
    double I[6];
    CHECK_EQ(ps_body_get_mass(w, st, &m, &com, I), PS_OK);
    CHECK(m == 0);
    CHECK_EQ(tu_step(w, 100), PS_OK);
    ps_vec3 p = tu_pos(w, st);
    CHECK(p.x == 2 && p.y == 0 && p.z == 1);
    // The dynamic one fell, the kinematic one (zero velocity) did not.
    CHECK(tu_pos(w, dyn).z < 0.99);
    CHECK_NEAR(tu_pos(w, kin).z, 1.0, 1e-12);
    ps_world_destroy(w);
}

static void test_invalid_defs(void)
{
    ps_world *w = tu_world();
    struct {
        const char *what;
        ps_body_def d;
    } bad[12];
    int n = 0;
    for (int i = 0; i < 12; i++) bad[i].d = ps_default_body_def();
    bad[n].what = "NaN position";
    bad[n++].d.pose.p.x = NAN;
    bad[n].what = "infinite position";
    bad[n++].d.pose.p.z = INFINITY;
    bad[n].what = "zero quaternion";
    bad[n++].d.pose.q = (ps_quat){ 0, 0, 0, 0 };
    bad[n].what = "NaN quaternion";
    bad[n++].d.pose.q.x = NAN;
    bad[n].what = "negative mass";
    bad[n++].d.mass = -1;
    bad[n].what = "NaN mass";
    bad[n++].d.mass = NAN;
    bad[n].what = "NaN linvel";
    bad[n++].d.linvel.y = NAN;
    bad[n].what = "infinite angvel";
    bad[n++].d.angvel.z = -INFINITY;
    bad[n].what = "linear damping > 1";
    bad[n++].d.linear_damping = 1.5;
    bad[n].what = "negative angular damping";
    bad[n++].d.angular_damping = -0.1;
    bad[n].what = "bad kind";
    bad[n++].d.kind = (ps_body_kind)7;
    bad[n].what = "inertia not positive definite";
    bad[n].d.mass = 1;
    bad[n].d.has_inertia = true;
    bad[n].d.inertia[0] = 1;
    bad[n].d.inertia[1] = 1;
    bad[n].d.inertia[2] = -1;
    n++;
    for (int i = 0; i < n; i++) {
        ps_body_id b = ps_body_create(w, &bad[i].d);
        if (!CHECK(!ps_body_is_set(b))) NOTE("accepted: %s", bad[i].what);
        else if (!CHECK(ps_world_last_error(w)[0] != '\0')) NOTE("no message: %s", bad[i].what);
    }
    CHECK_EQ(ps_world_body_count(w), 0);
    ps_world_destroy(w);
}

static void test_generation_ids(void)
{
    ps_world *w = tu_world();
    ps_body_id a = tu_box_body(w, "a", tu_pose(0, 0, 1), 0.1, 0.1, 0.1, 1000);
    ps_body_id keep = tu_box_body(w, "keep", tu_pose(1, 0, 1), 0.1, 0.1, 0.1, 1000);
    CHECK(a.gen != 0 && keep.gen != 0);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = 0.05;
    ps_geom_id ga = ps_geom_create(w, a, &g);
    CHECK(ps_geom_valid(w, ga));

    CHECK_EQ(ps_body_destroy(w, a), PS_OK);
    CHECK(!ps_body_valid(w, a));
    CHECK(!ps_geom_valid(w, ga)); // its geoms went with it
    CHECK(ps_body_valid(w, keep));

    // Every call rejects the stale id; getters leave outputs untouched.
    ps_pose pose = { { 123, 123, 123 }, { 5, 5, 5, 5 } };
    CHECK_EQ(ps_body_get_pose(w, a, &pose), PS_ERR_STALE);
    CHECK(pose.p.x == 123 && pose.q.w == 5);
    ps_vec3 v = { 7, 7, 7 };
    CHECK_EQ(ps_body_get_linvel(w, a, &v), PS_ERR_STALE);
    CHECK_EQ(ps_body_get_angvel(w, a, &v), PS_ERR_STALE);
    CHECK_EQ(ps_body_get_com_world(w, a, &v), PS_ERR_STALE);
    CHECK_EQ(ps_body_point_to_world(w, a, tu_v(1, 0, 0), &v), PS_ERR_STALE);
    CHECK(v.x == 7 && v.y == 7 && v.z == 7);
    double m = 9;
    ps_vec3 com = { 9, 9, 9 };
    double I[6] = { 9, 9, 9, 9, 9, 9 };
    CHECK_EQ(ps_body_get_mass(w, a, &m, &com, I), PS_ERR_STALE);
    CHECK(m == 9 && com.x == 9 && I[0] == 9);
    CHECK_EQ(ps_body_set_pose(w, a, tu_pose(0, 0, 0)), PS_ERR_STALE);
    CHECK_EQ(ps_body_set_linvel(w, a, tu_v(0, 0, 0)), PS_ERR_STALE);
    CHECK_EQ(ps_body_set_angvel(w, a, tu_v(0, 0, 0)), PS_ERR_STALE);
    CHECK_EQ(ps_body_add_force(w, a, tu_v(1, 0, 0)), PS_ERR_STALE);
    CHECK_EQ(ps_body_add_force_at(w, a, tu_v(1, 0, 0), tu_v(0, 0, 0)), PS_ERR_STALE);
    CHECK_EQ(ps_body_add_torque(w, a, tu_v(1, 0, 0)), PS_ERR_STALE);
    CHECK_EQ(ps_body_add_rel_force(w, a, tu_v(1, 0, 0)), PS_ERR_STALE);
    const double I1[6] = { 1, 1, 1, 0, 0, 0 };
    CHECK_EQ(ps_body_set_mass(w, a, 1, tu_v(0, 0, 0), I1), PS_ERR_STALE);
    CHECK_EQ(ps_body_destroy(w, a), PS_ERR_STALE);
    CHECK(ps_body_name(w, a) == NULL);
    CHECK_EQ(ps_body_geom_count(w, a), 0);
    // Geoms cannot be added to it.
    CHECK(!tu_geom_set(ps_geom_create(w, a, &g)));

    // A new body may reuse the slot, but never the generation.
    ps_body_id b = tu_box_body(w, "b", tu_pose(0, 0, 1), 0.1, 0.1, 0.1, 1000);
    CHECK(ps_body_valid(w, b));
    if (b.index == a.index) {
        CHECK(b.gen != a.gen);
    } else {
        NOTE("slot %u was not reused (new body at %u)", a.index, b.index);
    }
    CHECK(!ps_body_valid(w, a));
    CHECK_EQ(ps_body_get_pose(w, a, &pose), PS_ERR_STALE);
    // Destroy/create cycles on one slot: every generation distinct, all old ids stale.
    ps_body_id olds[8];
    for (int i = 0; i < 8; i++) {
        olds[i] = b;
        CHECK_EQ(ps_body_destroy(w, b), PS_OK);
        b = tu_box_body(w, "b", tu_pose(0, 0, 1), 0.1, 0.1, 0.1, 1000);
    }
    int all_stale = 1, distinct = 1;
    for (int i = 0; i < 8; i++) {
        all_stale &= !ps_body_valid(w, olds[i]);
        distinct &= !tu_same_body(olds[i], b);
    }
    CHECK(all_stale && distinct);

    // Never-valid ids.
    CHECK(!ps_body_valid(w, PS_BODY_NONE));
    CHECK_EQ(ps_body_get_pose(w, PS_BODY_NONE, &pose), PS_ERR_STALE);
    ps_body_id wild = { 100000, 1, ps_world_tag(w) };
    CHECK(!ps_body_valid(w, wild));
    CHECK_EQ(ps_body_get_pose(w, wild, &pose), PS_ERR_STALE);
    CHECK_EQ(ps_body_set_linvel(w, wild, tu_v(0, 0, 0)), PS_ERR_STALE);
    ps_body_id wrong_gen = { keep.index, keep.gen + 1, keep.world };
    CHECK(!ps_body_valid(w, wrong_gen));
    CHECK_EQ(ps_body_destroy(w, wrong_gen), PS_ERR_STALE);
    CHECK(ps_body_valid(w, keep));
    // Stepping after all of this is fine.
    CHECK_EQ(tu_step(w, 10), PS_OK);
    ps_world_destroy(w);
}

// Ids carry their world: an id from another world, or from the world of an earlier
// episode with the same slot and generation, is refused with a message saying so.
static void test_foreign_ids(void)
{
    ps_world *a = tu_world(), *b = tu_world();
    CHECK(ps_world_tag(a) != 0 && ps_world_tag(b) != 0 && ps_world_tag(a) != ps_world_tag(b));
    ps_body_def d = ps_default_body_def();
    d.mass = 1;
    ps_body_id ba = ps_body_create(a, &d), bb = ps_body_create(b, &d);
    // Same slot, same generation: only the world tag tells them apart.
    CHECK(ba.index == bb.index && ba.gen == bb.gen && ba.world != bb.world);
    CHECK(!ps_body_id_eq(ba, bb));
    CHECK(ps_body_valid(a, ba) && !ps_body_valid(a, bb) && !ps_body_valid(b, ba));
    ps_pose pose;
    CHECK_EQ(ps_body_get_pose(a, bb, &pose), PS_ERR_STALE);
    CHECK_EQ(ps_body_set_linvel(a, bb, tu_v(1, 0, 0)), PS_ERR_STALE);
    CHECK(strstr(ps_world_last_error(a), "another world") != NULL);
    CHECK_EQ(ps_body_destroy(b, ba), PS_ERR_STALE);
    CHECK(ps_body_valid(a, ba));

    ps_geom_def gd = ps_default_geom_def(PS_GEOM_SPHERE);
    gd.radius = 0.1;
    ps_geom_id ga = ps_geom_create(a, ba, &gd);
    CHECK(ps_geom_valid(a, ga) && !ps_geom_valid(b, ga));
    // A geom on another world's body is refused.
    CHECK(!ps_geom_valid(b, ps_geom_create(b, ba, &gd)));

    // Materials are checked handles too: another world's material id is refused,
    // PS_MATERIAL_DEFAULT works everywhere.
    ps_material_def md = ps_default_material_def();
    md.name = "rubber";
    ps_material_id ma = ps_material_create(a, &md);
    CHECK(ps_material_is_set(ma));
    CHECK_EQ(ps_geom_set_material(a, ga, ma), PS_OK);
    ps_geom_id gb = ps_geom_create(b, bb, &gd);
    CHECK_EQ(ps_geom_set_material(b, gb, ma), PS_ERR_STALE);
    CHECK_EQ(ps_geom_set_material(b, gb, PS_MATERIAL_DEFAULT), PS_OK);
    ps_material_def out;
    CHECK_EQ(ps_material_get(b, ma, &out), PS_ERR_INVALID);
    CHECK_EQ(ps_material_get(a, ma, &out), PS_OK);

    // The next episode's world: same build, same ids but for the tag.
    ps_world_destroy(a);
    ps_world *a2 = tu_world();
    ps_body_id ba2 = ps_body_create(a2, &d);
    CHECK(ba2.index == ba.index && ba2.gen == ba.gen);
    CHECK(!ps_body_valid(a2, ba));
    CHECK_EQ(ps_body_set_linvel(a2, ba, tu_v(1, 0, 0)), PS_ERR_STALE);
    ps_world_destroy(a2);
    ps_world_destroy(b);
}

static void test_names(void)
{
    ps_world *w = tu_world();
    char buf[16] = "temp";
    ps_body_def d = ps_default_body_def();
    d.mass = 1;
    d.name = buf;
    ps_body_id t = ps_body_create(w, &d);
    strcpy(buf, "XXXX"); // the name was copied
    CHECK(strcmp(ps_body_name(w, t) ? ps_body_name(w, t) : "", "temp") == 0);

    d.name = NULL;
    ps_body_id anon = ps_body_create(w, &d);
    char want[32];
    snprintf(want, sizeof want, "body%u", anon.index);
    const char *nm = ps_body_name(w, anon);
    if (!CHECK(nm && strcmp(nm, want) == 0)) NOTE("name %s, want %s", nm ? nm : "NULL", want);
    d.name = "";
    ps_body_id empty = ps_body_create(w, &d);
    snprintf(want, sizeof want, "body%u", empty.index);
    nm = ps_body_name(w, empty);
    CHECK(nm && strcmp(nm, want) == 0);

    d.name = "dup";
    ps_body_id dup1 = ps_body_create(w, &d);
    ps_body_id dup2 = ps_body_create(w, &d);
    d.name = "alpha";
    ps_body_id alpha = ps_body_create(w, &d);
    CHECK(tu_same_body(ps_body_find(w, "alpha"), alpha));
    CHECK(tu_same_body(ps_body_find(w, "temp"), t));
    CHECK(tu_same_body(ps_body_find(w, "dup"), dup1)); // first created wins
    CHECK(!ps_body_is_set(ps_body_find(w, "nope")));
    CHECK(!ps_body_is_set(ps_body_find(w, "XXXX")));
    CHECK_EQ(ps_body_destroy(w, dup1), PS_OK);
    CHECK(tu_same_body(ps_body_find(w, "dup"), dup2));
    CHECK_EQ(ps_body_destroy(w, alpha), PS_OK);
    CHECK(!ps_body_is_set(ps_body_find(w, "alpha")));
    ps_world_destroy(w);
}

static void test_mass_from_density(void)
{
    ps_world *w = tu_world();
    // 1 x 1 x 1 box of density 1000 = 1000 kg, I = m (1 + 1) / 12.
    ps_body_id b = tu_box_body(w, "cube", tu_pose(0, 0, 5), 1, 1, 1, 1000);
    double m = 0, I[6];
    ps_vec3 com;
    CHECK_EQ(ps_body_get_mass(w, b, &m, &com, I), PS_OK);
    CHECK_REL(m, 1000, 1e-12);
    CHECK_NEAR(tu_norm(com), 0, 1e-12);
    CHECK_REL(I[0], 1000.0 * 2 / 12, 1e-9);
    CHECK_REL(I[1], 1000.0 * 2 / 12, 1e-9);
    CHECK_REL(I[2], 1000.0 * 2 / 12, 1e-9);
    CHECK_NEAR(I[3], 0, 1e-9);
    CHECK_NEAR(I[4], 0, 1e-9);
    CHECK_NEAR(I[5], 0, 1e-9);

    // A box at the link origin and a sphere 2 m along x: composite mass,
    // COM and parallel-axis inertia.
    ps_body_def bd = ps_default_body_def();
    bd.pose = tu_pose(0, 3, 5);
    ps_body_id c = ps_body_create(w, &bd);
    ps_geom_def gb = ps_default_geom_def(PS_GEOM_BOX);
    gb.size = tu_v(1, 1, 1);
    gb.density = 1000;
    ps_geom_def gs = ps_default_geom_def(PS_GEOM_SPHERE);
    gs.radius = 0.5;
    gs.density = 1000;
    gs.pose = tu_pose(2, 0, 0);
    CHECK(tu_geom_set(ps_geom_create(w, c, &gb)));
    CHECK(tu_geom_set(ps_geom_create(w, c, &gs)));
    double m1 = 1000, m2 = 1000 * 4.0 / 3.0 * M_PI * 0.125;
    double mt = m1 + m2, cx = 2 * m2 / mt;
    double Ib = m1 / 6, Is = 0.4 * m2 * 0.25;
    CHECK_EQ(ps_body_get_mass(w, c, &m, &com, I), PS_OK);
    CHECK_REL(m, mt, 1e-9);
    CHECK_NEAR(com.x, cx, 1e-9);
    CHECK_NEAR(com.y, 0, 1e-12);
    CHECK_NEAR(com.z, 0, 1e-12);
    CHECK_REL(I[0], Ib + Is, 1e-9);
    CHECK_REL(I[1], Ib + Is + m1 * cx * cx + m2 * (2 - cx) * (2 - cx), 1e-9);
    CHECK_REL(I[2], Ib + Is + m1 * cx * cx + m2 * (2 - cx) * (2 - cx), 1e-9);
    CHECK_NEAR(I[3], 0, 1e-6);
    CHECK_NEAR(I[4], 0, 1e-6);
    CHECK_NEAR(I[5], 0, 1e-6);

    // A geom of density 0 adds no mass.
    ps_body_id e = ps_body_create(w, &bd);
    gb.density = 0;
    ps_geom_create(w, e, &gb);
    gs.density = 500;
    gs.pose = ps_pose_identity();
    ps_geom_create(w, e, &gs);
    CHECK_EQ(ps_body_get_mass(w, e, &m, &com, I), PS_OK);
    CHECK_REL(m, m2 / 2, 1e-9);
    ps_world_destroy(w);
}

static void test_explicit_mass(void)
{
    ps_world *w = tu_world();
    // mass given, no inertia: the geoms shape the inertia, scaled to the mass.
    ps_body_def bd = ps_default_body_def();
    bd.mass = 10;
    ps_body_id b = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(1, 2, 3);
    g.density = 1234; // ignored for the total
    CHECK(tu_geom_set(ps_geom_create(w, b, &g)));
    double m, I[6];
    ps_vec3 com;
    CHECK_EQ(ps_body_get_mass(w, b, &m, &com, I), PS_OK);
    CHECK_REL(m, 10, 1e-12);
    CHECK_REL(I[0], 10.0 / 12 * (4 + 9), 1e-9);
    CHECK_REL(I[1], 10.0 / 12 * (1 + 9), 1e-9);
    CHECK_REL(I[2], 10.0 / 12 * (1 + 4), 1e-9);

    // Explicit inertia and COM.
    bd = ps_default_body_def();
    bd.mass = 2;
    bd.has_inertia = true;
    bd.com = tu_v(0.1, 0, 0.05);
    double in[6] = { 0.1, 0.2, 0.25, 0.01, 0, 0 };
    memcpy(bd.inertia, in, sizeof in);
    ps_body_id c = ps_body_create(w, &bd);
    CHECK(ps_body_is_set(c));
    CHECK_EQ(ps_body_get_mass(w, c, &m, &com, I), PS_OK);
    CHECK_REL(m, 2, 1e-12);
    CHECK_NEAR(com.x, 0.1, 1e-12);
    CHECK_NEAR(com.z, 0.05, 1e-12);
    for (int i = 0; i < 6; i++) CHECK_NEAR(I[i], in[i], 1e-12);

    // ps_body_set_mass replaces everything; bad values are refused.
    double in2[6] = { 1, 2, 2.5, 0, 0, 0 };
    CHECK_EQ(ps_body_set_mass(w, c, 3, tu_v(0, 0.2, 0), in2), PS_OK);
    CHECK_EQ(ps_body_get_mass(w, c, &m, &com, I), PS_OK);
    CHECK_REL(m, 3, 1e-12);
    CHECK_NEAR(com.y, 0.2, 1e-12);
    CHECK_NEAR(I[2], 2.5, 1e-12);
    double notpd[6] = { 1, 1, 1, 5, 0, 0 };
    double nan6[6] = { NAN, 1, 1, 0, 0, 0 };
    CHECK_EQ(ps_body_set_mass(w, c, 0, tu_v(0, 0, 0), in2), PS_ERR_INVALID);
    CHECK_EQ(ps_body_set_mass(w, c, -1, tu_v(0, 0, 0), in2), PS_ERR_INVALID);
    CHECK_EQ(ps_body_set_mass(w, c, NAN, tu_v(0, 0, 0), in2), PS_ERR_INVALID);
    CHECK_EQ(ps_body_set_mass(w, c, 1, tu_v(NAN, 0, 0), in2), PS_ERR_INVALID);
    CHECK_EQ(ps_body_set_mass(w, c, 1, tu_v(0, 0, 0), notpd), PS_ERR_INVALID);
    CHECK_EQ(ps_body_set_mass(w, c, 1, tu_v(0, 0, 0), nan6), PS_ERR_INVALID);
    CHECK_EQ(ps_body_get_mass(w, c, &m, &com, I), PS_OK);
    CHECK_REL(m, 3, 1e-12); // unchanged by the refused calls
    CHECK_EQ(tu_step(w, 10), PS_OK);
    ps_world_destroy(w);
}

static void test_com_offset(void)
{
    // Link frame at (0,0,5) turned 90 deg about z; a 1 m cube 1 m along the
    // link's x. The COM is then 1 m along world y from the link origin.
    ps_world *w = tu_world();
    ps_body_def bd = ps_default_body_def();
    bd.name = "offset";
    bd.pose.p = tu_v(0, 0, 5);
    bd.pose.q = tu_quat_axis(0, 0, 1, M_PI / 2);
    ps_body_id b = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(1, 1, 1);
    g.pose = tu_pose(1, 0, 0);
    ps_geom_id gid = ps_geom_create(w, b, &g);
    CHECK(tu_geom_set(gid));

    ps_pose p;
    CHECK_EQ(ps_body_get_pose(w, b, &p), PS_OK);
    CHECK_NEAR(p.p.x, 0, 1e-12);
    CHECK_NEAR(p.p.y, 0, 1e-12);
    CHECK_NEAR(p.p.z, 5, 1e-12);
    CHECK_NEAR(tu_quat_angle(p.q, bd.pose.q), 0, 1e-9);
    double m, I[6];
    ps_vec3 com, cw;
    CHECK_EQ(ps_body_get_mass(w, b, &m, &com, I), PS_OK);
    CHECK_NEAR(com.x, 1, 1e-12);
    CHECK_NEAR(com.y, 0, 1e-12);
    CHECK_EQ(ps_body_get_com_world(w, b, &cw), PS_OK);
    CHECK_NEAR(cw.x, 0, 1e-12);
    CHECK_NEAR(cw.y, 1, 1e-12);
    CHECK_NEAR(cw.z, 5, 1e-12);
    ps_pose gp;
    CHECK_EQ(ps_geom_get_world_pose(w, gid, &gp), PS_OK);
    CHECK_NEAR(gp.p.x, 0, 1e-12);
    CHECK_NEAR(gp.p.y, 1, 1e-12);
    CHECK_NEAR(gp.p.z, 5, 1e-12);

    // Free fall: gravity acts at the COM, so the body does not turn, and the
    // link origin falls exactly like the COM.
    CHECK_EQ(tu_step(w, 100), PS_OK);
    CHECK_EQ(ps_body_get_pose(w, b, &p), PS_OK);
    CHECK_EQ(ps_body_get_com_world(w, b, &cw), PS_OK);
    CHECK_NEAR(p.p.x, 0, 1e-9);
    CHECK_NEAR(p.p.y, 0, 1e-9);
    CHECK_NEAR(cw.y - p.p.y, 1, 1e-9);
    CHECK_NEAR(cw.z - p.p.z, 0, 1e-9);
    CHECK(p.p.z < 5);
    CHECK_NEAR(tu_quat_angle(p.q, bd.pose.q), 0, 1e-9);
    ps_vec3 v = tu_linvel(w, b);
    CHECK_NEAR(v.z, -9.81 * 100 * 0.002, 1e-9);

    // set_pose takes the link frame: the COM follows.
    ps_pose np = tu_pose(10, 0, 1); // identity rotation now
    CHECK_EQ(ps_body_set_pose(w, b, np), PS_OK);
    CHECK_EQ(ps_body_get_pose(w, b, &p), PS_OK);
    CHECK_NEAR(p.p.x, 10, 1e-12);
    CHECK_NEAR(p.p.z, 1, 1e-12);
    CHECK_EQ(ps_body_get_com_world(w, b, &cw), PS_OK);
    CHECK_NEAR(cw.x, 11, 1e-12);
    CHECK_NEAR(cw.y, 0, 1e-12);

    // The geom is where the link frame says it is.
    CHECK_EQ(ps_geom_get_world_pose(w, gid, &gp), PS_OK);
    CHECK_NEAR(gp.p.x, 11, 1e-12);
    CHECK_NEAR(gp.p.y, 0, 1e-12);
    CHECK_NEAR(gp.p.z, 1, 1e-12);
    CHECK_NEAR(tu_quat_angle(gp.q, np.q), 0, 1e-9);
    ps_world_destroy(w);

    // Spin about z with zero COM velocity and no gravity: the COM stays put,
    // the link origin circles around it (velocities are of the COM).
    w = tu_world_nograv();
    bd = ps_default_body_def();
    bd.pose = tu_pose(0, 0, 5);
    bd.angvel = tu_v(0, 0, 1);
    b = ps_body_create(w, &bd);
    g.pose = tu_pose(1, 0, 0);
    ps_geom_create(w, b, &g);
    CHECK_EQ(tu_step(w, 250), PS_OK); // 0.5 s, 0.5 rad
    CHECK_EQ(ps_body_get_com_world(w, b, &cw), PS_OK);
    CHECK_NEAR(cw.x, 1, 1e-9);
    CHECK_NEAR(cw.y, 0, 1e-9);
    CHECK_EQ(ps_body_get_pose(w, b, &p), PS_OK);
    // Link origin = COM + Rz(0.5) * (-1, 0, 0); the rotation is integrated
    // to ~1e-9 rad over 250 steps, tolerance 1e-6 m.
    CHECK_NEAR(p.p.x, 1 - cos(0.5), 1e-6);
    CHECK_NEAR(p.p.y, -sin(0.5), 1e-6);
    CHECK_NEAR(p.p.z, 5, 1e-12);
    v = tu_linvel(w, b);
    CHECK_NEAR(tu_norm(v), 0, 1e-9);
    ps_world_destroy(w);
}

static void test_setters_validate(void)
{
    ps_world *w = tu_world();
    ps_body_id b = tu_box_body(w, "b", tu_pose(1, 2, 3), 0.2, 0.2, 0.2, 1000);
    ps_pose bad = tu_pose(NAN, 0, 0);
    CHECK_EQ(ps_body_set_pose(w, b, bad), PS_ERR_INVALID);
    CHECK(ps_world_last_error(w)[0] != '\0');
    bad = tu_pose(0, INFINITY, 0);
    CHECK_EQ(ps_body_set_pose(w, b, bad), PS_ERR_INVALID);
    bad = tu_pose(0, 0, 0);
    bad.q = (ps_quat){ 0, 0, 0, 0 };
    CHECK_EQ(ps_body_set_pose(w, b, bad), PS_ERR_INVALID);
    bad.q = (ps_quat){ NAN, 0, 0, 0 };
    CHECK_EQ(ps_body_set_pose(w, b, bad), PS_ERR_INVALID);
    CHECK_EQ(ps_body_set_linvel(w, b, tu_v(NAN, 0, 0)), PS_ERR_INVALID);
    CHECK_EQ(ps_body_set_linvel(w, b, tu_v(0, 0, -INFINITY)), PS_ERR_INVALID);
    CHECK_EQ(ps_body_set_angvel(w, b, tu_v(0, NAN, 0)), PS_ERR_INVALID);
    CHECK_EQ(ps_body_add_force(w, b, tu_v(0, 0, NAN)), PS_ERR_INVALID);
    CHECK_EQ(ps_body_add_force_at(w, b, tu_v(1, 0, 0), tu_v(NAN, 0, 0)), PS_ERR_INVALID);
    CHECK_EQ(ps_body_add_force_at(w, b, tu_v(INFINITY, 0, 0), tu_v(0, 0, 0)), PS_ERR_INVALID);
    CHECK_EQ(ps_body_add_torque(w, b, tu_v(NAN, 0, 0)), PS_ERR_INVALID);
    CHECK_EQ(ps_body_add_rel_force(w, b, tu_v(0, NAN, 0)), PS_ERR_INVALID);

    // Nothing changed.
    ps_pose p;
    CHECK_EQ(ps_body_get_pose(w, b, &p), PS_OK);
    CHECK(p.p.x == 1 && p.p.y == 2 && p.p.z == 3);
    CHECK(p.q.w == 1 && p.q.x == 0);
    ps_vec3 v = tu_linvel(w, b), a = tu_angvel(w, b);
    CHECK(v.x == 0 && v.y == 0 && v.z == 0 && a.x == 0 && a.y == 0 && a.z == 0);
    // No force was left in the accumulator: gravity alone after one step.
    ps_world_def d = *ps_world_get_def(w);
    CHECK_EQ(ps_world_step(w), PS_OK);
    v = tu_linvel(w, b);
    CHECK_NEAR(v.x, 0, 1e-15);
    CHECK_NEAR(v.z, d.gravity.z * d.timestep, 1e-15);
    a = tu_angvel(w, b);
    CHECK_NEAR(tu_norm(a), 0, 1e-15);

    // A non-unit quaternion that can be normalised is accepted and normalised.
    ps_pose q = tu_pose(0, 0, 3);
    q.q = (ps_quat){ 2, 0, 0, 0 };
    CHECK_EQ(ps_body_set_pose(w, b, q), PS_OK);
    CHECK_EQ(ps_body_get_pose(w, b, &p), PS_OK);
    CHECK_NEAR(p.q.w, 1, 1e-12);
    q.q = (ps_quat){ 0, 0, 0, 3 };
    CHECK_EQ(ps_body_set_pose(w, b, q), PS_OK);
    CHECK_EQ(ps_body_get_pose(w, b, &p), PS_OK);
    CHECK_NEAR(fabs(p.q.z), 1, 1e-12);
    ps_world_destroy(w);
}

static void test_forces(void)
{
    // F = m a over one step with gravity off: v = F/m dt exactly (relative 1e-9).
    ps_world *w = tu_world_nograv();
    const double dt = ps_world_get_def(w)->timestep, r = 0.1;
    ps_body_id b = tu_sphere_body(w, "ball", tu_pose(0, 0, 1), r, 1000);
    double m, I[6];
    ps_vec3 com;
    CHECK_EQ(ps_body_get_mass(w, b, &m, &com, I), PS_OK);
    CHECK_REL(m, 1000 * 4.0 / 3.0 * M_PI * r * r * r, 1e-12);
    const double Is = 0.4 * m * r * r;
    ps_vec3 F = tu_v(3, -2, 1);
    CHECK_EQ(ps_body_add_force(w, b, F), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_OK);
    ps_vec3 v = tu_linvel(w, b);
    CHECK_REL(v.x, F.x / m * dt, 1e-9);
    CHECK_REL(v.y, F.y / m * dt, 1e-9);
    CHECK_REL(v.z, F.z / m * dt, 1e-9);
    // Semi-implicit Euler: the position moves by the new velocity times dt.
    ps_vec3 p = tu_pos(w, b);
    CHECK_REL(p.x, F.x / m * dt * dt, 1e-9);
    CHECK_REL(p.z - 1, F.z / m * dt * dt, 1e-6);
    // The accumulator is cleared after the step: the velocity stays.
    CHECK_EQ(ps_world_step(w), PS_OK);
    ps_vec3 v2 = tu_linvel(w, b);
    CHECK_REL(v2.x, v.x, 1e-12);
    // Forces add up before a step.
    CHECK_EQ(ps_body_add_force(w, b, tu_v(1, 0, 0)), PS_OK);
    CHECK_EQ(ps_body_add_force(w, b, tu_v(1, 0, 0)), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK_REL(tu_linvel(w, b).x - v.x, 2 / m * dt, 1e-9);

    // Torque: dw = tau / I dt.
    CHECK_EQ(ps_body_add_torque(w, b, tu_v(0, 0, 0.5)), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK_REL(tu_angvel(w, b).z, 0.5 / Is * dt, 1e-9);
    ps_world_destroy(w);

    // Force at a point: linear F/m and torque r x F.
    w = tu_world_nograv();
    b = tu_sphere_body(w, "ball", tu_pose(0, 0, 1), r, 1000);
    CHECK_EQ(ps_body_add_force_at(w, b, tu_v(0, 2, 0), tu_v(0.5, 0, 1)), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_OK);
    v = tu_linvel(w, b);
    ps_vec3 av = tu_angvel(w, b);
    CHECK_REL(v.y, 2 / m * dt, 1e-9);
    CHECK_NEAR(v.x, 0, 1e-15);
    CHECK_REL(av.z, 1.0 / Is * dt, 1e-9); // (0.5,0,0) x (0,2,0) = (0,0,1)
    CHECK_NEAR(av.x, 0, 1e-15);
    ps_world_destroy(w);

    // Relative force is in the link frame: 90 deg about z maps x to y.
    w = tu_world_nograv();
    ps_pose pose = tu_pose(0, 0, 1);
    pose.q = tu_quat_axis(0, 0, 1, M_PI / 2);
    b = tu_sphere_body(w, "ball", pose, r, 1000);
    CHECK_EQ(ps_body_add_rel_force(w, b, tu_v(1, 0, 0)), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_OK);
    v = tu_linvel(w, b);
    CHECK_NEAR(v.x, 0, 1e-12 * dt);
    CHECK_REL(v.y, 1 / m * dt, 1e-9);

    // point_to_world.
    ps_vec3 out;
    CHECK_EQ(ps_body_set_pose(w, b, (ps_pose){ { 1, 2, 3 }, pose.q }), PS_OK);
    CHECK_EQ(ps_body_point_to_world(w, b, tu_v(1, 0, 0), &out), PS_OK);
    CHECK_NEAR(out.x, 1, 1e-12);
    CHECK_NEAR(out.y, 3, 1e-12);
    CHECK_NEAR(out.z, 3, 1e-12);
    ps_world_destroy(w);

    // Gravity off per body; damping slows.
    w = tu_world();
    ps_body_def bd = ps_default_body_def();
    bd.gravity = false;
    bd.pose = tu_pose(0, 0, 2);
    ps_body_id floater = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = 0.1;
    ps_geom_create(w, floater, &g);
    bd.gravity = true;
    bd.pose = tu_pose(2, 0, 2);
    bd.linvel = tu_v(1, 0, 0);
    bd.linear_damping = 0.5;
    ps_body_id damped = ps_body_create(w, &bd);
    ps_geom_create(w, damped, &g);
    CHECK_EQ(tu_step(w, 100), PS_OK);
    CHECK_NEAR(tu_pos(w, floater).z, 2, 1e-12);
    double vx = tu_linvel(w, damped).x;
    CHECK(vx < 0.99 && vx > 0);
    ps_world_destroy(w);
}

static void test_kinematic(void)
{
    ps_world *w = tu_world(); // gravity on
    tu_ground(w);
    ps_body_def bd = ps_default_body_def();
    bd.kind = PS_BODY_KINEMATIC;
    bd.name = "cart";
    bd.pose = tu_pose(0, 0, 2);
    bd.linvel = tu_v(1, 0.5, 0);
    bd.angvel = tu_v(0, 0, 1);
    ps_body_id k = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.3, 0.3, 0.3);
    CHECK(tu_geom_set(ps_geom_create(w, k, &g)));
    // Forces are ignored for kinematic bodies.
    CHECK_EQ(ps_body_add_force(w, k, tu_v(1000, 0, 0)), PS_OK);
    CHECK_EQ(tu_step(w, 100), PS_OK); // 0.2 s
    ps_vec3 p = tu_pos(w, k);
    CHECK_NEAR(p.x, 0.2, 1e-9);
    CHECK_NEAR(p.y, 0.1, 1e-9);
    CHECK_NEAR(p.z, 2, 1e-12); // unaffected by gravity
    ps_vec3 v = tu_linvel(w, k);
    CHECK_NEAR(v.x, 1, 1e-12);
    CHECK_NEAR(v.z, 0, 1e-12);
    ps_quat want = tu_quat_axis(0, 0, 1, 0.2);
    CHECK_NEAR(tu_quat_angle(tu_rot(w, k), want), 0, 1e-6);

    // Driving a kinematic body through the static ground neither moves it
    // nor breaks the step.
    CHECK_EQ(ps_body_set_pose(w, k, tu_pose(0, 0, 0.1)), PS_OK);
    CHECK_EQ(ps_body_set_linvel(w, k, tu_v(0, 0, -0.5)), PS_OK);
    CHECK_EQ(ps_body_set_angvel(w, k, tu_v(0, 0, 0)), PS_OK);
    CHECK_EQ(tu_step(w, 100), PS_OK);
    CHECK_NEAR(tu_pos(w, k).z, 0.1 - 0.5 * 0.2, 1e-9);

    // It pushes a dynamic body out of its way.
    ps_body_id ball = tu_sphere_body(w, "ball", tu_pose(1, 0, 0.1), 0.1, 500);
    CHECK_EQ(ps_body_set_pose(w, k, tu_pose(0.5, 0, 0.15)), PS_OK);
    CHECK_EQ(ps_body_set_linvel(w, k, tu_v(1, 0, 0)), PS_OK);
    CHECK_EQ(tu_step(w, 500), PS_OK); // the cart travels 1 m
    CHECK(tu_pos(w, ball).x > 1.3);
    CHECK_NEAR(tu_pos(w, k).x, 1.5, 1e-9);
    ps_world_destroy(w);
}

static void test_massless_dynamic_body(void)
{
    // A dynamic body with neither mass nor geoms cannot be stepped: validate
    // and step fail cleanly (no ODE abort), naming the body.
    ps_world *w = tu_world();
    ps_body_def bd = ps_default_body_def();
    bd.name = "ghost";
    ps_body_id b = ps_body_create(w, &bd);
    CHECK(ps_body_is_set(b));
    CHECK_EQ(ps_world_validate(w), PS_ERR_INVALID);
    CHECK_HAS(ps_world_last_error(w), "ghost");
    ps_status s = ps_world_step(w);
    CHECK(s != PS_OK);
    CHECK_HAS(ps_world_last_error(w), "ghost");
    CHECK(ps_world_step_count(w) == 0);
    // Giving it a geom fixes it.
    ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = 0.1;
    CHECK(tu_geom_set(ps_geom_create(w, b, &g)));
    CHECK_EQ(ps_world_validate(w), PS_OK);
    CHECK_EQ(ps_world_step(w), PS_OK);
    ps_world_destroy(w);

    // A body with a mass but no geoms is fine (the inertia is a default shape).
    w = tu_world();
    bd.mass = 3;
    b = ps_body_create(w, &bd);
    CHECK_EQ(ps_world_validate(w), PS_OK);
    CHECK_EQ(tu_step(w, 10), PS_OK);
    double m;
    CHECK_EQ(ps_body_get_mass(w, b, &m, NULL, NULL), PS_OK);
    CHECK_REL(m, 3, 1e-12);
    ps_world_destroy(w);
}

static void test_ode_messages_logged(void)
{
    // ODE's own mass check message goes to the world's log, not stderr.
    ps_world *w = tu_world();
    memset(&tu_the_log, 0, sizeof tu_the_log);
    ps_body_def bd = ps_default_body_def();
    bd.name = "speck";
    ps_body_id b = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = 1e-300;
    CHECK(!tu_geom_set(ps_geom_create(w, b, &g)));
    CHECK(tu_the_log.count[PS_LOG_WARN] > 0);
    CHECK(strstr(tu_the_log.last, "ODE message") != NULL && strstr(tu_the_log.last, "mass must be > 0") != NULL);
    ps_world_destroy(w);
}

int main(void)
{
    RUN(test_ode_messages_logged);
    RUN(test_default_def);
    RUN(test_create_kinds);
    RUN(test_invalid_defs);
    RUN(test_generation_ids);
    RUN(test_foreign_ids);
    RUN(test_names);
    RUN(test_mass_from_density);
    RUN(test_explicit_mass);
    RUN(test_com_offset);
    RUN(test_setters_validate);
    RUN(test_forces);
    RUN(test_kinematic);
    RUN(test_massless_dynamic_body);
    return TEST_DONE();
}
