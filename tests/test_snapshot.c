// Tests of scene snapshots (snapshot.h): every geom type with its world pose,
// colour and segment id; meshes and heightfields with content keys; robot
// visuals from a URDF; debug primitives (contacts, joint axes, COMs, lidar
// rays, keep-out zones); copies; capture leaves the state hash alone.
#include "harness.h"
#include "test_util.h"
#include "pilotsim/snapshot.h"
#include "pilotsim/sensor.h"
#include "pilotsim/robot.h"
#include "pilotsim/urdf.h"
#include "pilotsim/episode.h"

#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif

static char err[PS_ERR_LEN];

static const double tri_v[4 * 3] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
static const int tri_i[4 * 3] = {0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3};
static const double hf[3 * 2] = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5}; // rows = 3 (y), cols = 2 (x)

static const ps_draw_shape *find_type(const ps_draw_shape *s, size_t n, ps_shape_type t, size_t nth)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].type == t && nth-- == 0) return &s[i];
    return NULL;
}

// One of each geom type; returns the box body.
static ps_body_id build(ps_world *w)
{
    ps_geom_def g = ps_default_geom_def(PS_GEOM_PLANE);
    g.plane[0] = 0; g.plane[1] = 0; g.plane[2] = 2; g.plane[3] = 0;
    CHECK(ps_geom_create(w, PS_BODY_NONE, &g).gen != 0);

    ps_body_def bd = ps_default_body_def();
    bd.pose.p = tu_v(1, 2, 0.25);
    ps_body_id box = ps_body_create(w, &bd);
    g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.5, 0.4, 0.3);
    g.pose.p = tu_v(0.1, 0, 0);
    g.rgba[0] = 1; g.rgba[1] = 0; g.rgba[2] = 0; g.rgba[3] = 1;
    CHECK(ps_geom_create(w, box, &g).gen != 0);
    g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = 0.1;
    g.pose.p = tu_v(0, 0, 0.3);
    CHECK(ps_geom_create(w, box, &g).gen != 0);

    bd.pose.p = tu_v(-1, 0, 1);
    ps_body_id b2 = ps_body_create(w, &bd);
    g = ps_default_geom_def(PS_GEOM_CAPSULE);
    g.radius = 0.1; g.length = 0.4;
    CHECK(ps_geom_create(w, b2, &g).gen != 0);
    g = ps_default_geom_def(PS_GEOM_CYLINDER);
    g.radius = 0.2; g.length = 0.1;
    g.pose.p = tu_v(0, 0, 0.5);
    CHECK(ps_geom_create(w, b2, &g).gen != 0);
    g = ps_default_geom_def(PS_GEOM_TRIMESH);
    g.vertices = tri_v; g.vertex_count = 4; g.indices = tri_i; g.tri_count = 4;
    g.pose.p = tu_v(0, 0, 1);
    CHECK(ps_geom_create(w, b2, &g).gen != 0);

    g = ps_default_geom_def(PS_GEOM_HEIGHTFIELD);
    g.heights = hf; g.rows = 3; g.cols = 2;
    g.size = tu_v(2, 4, 0);
    g.pose.p = tu_v(5, 5, 0);
    CHECK(ps_geom_create(w, PS_BODY_NONE, &g).gen != 0);
    // A second static trimesh with the same data shares the mesh.
    g = ps_default_geom_def(PS_GEOM_TRIMESH);
    g.vertices = tri_v; g.vertex_count = 4; g.indices = tri_i; g.tri_count = 4;
    g.pose.p = tu_v(-5, 0, 0);
    CHECK(ps_geom_create(w, PS_BODY_NONE, &g).gen != 0);
    return box;
}

static void test_geoms(void)
{
    ps_world *w = tu_world();
    ps_body_id box = build(w);
    ps_snapshot *s = ps_snapshot_create();
    CHECK(s != NULL);
    CHECK_EQ(ps_snapshot_capture(s, w), PS_OK);
    size_t n = 0, nm = 0;
    const ps_draw_shape *sh = ps_snapshot_shapes(s, &n);
    const ps_snapshot_mesh *m = ps_snapshot_meshes(s, &nm);
    CHECK_EQ(n, 8);
    CHECK_EQ(nm, 2); // one trimesh (shared) + one heightfield

    const ps_draw_shape *pl = find_type(sh, n, PS_SHAPE_PLANE, 0);
    CHECK(pl && pl->segment < 0 && !ps_body_is_set(pl->body));
    if (pl) CHECK_NEAR(tu_rotate(pl->pose.q, tu_v(0, 0, 1)).z, 1, 1e-12);

    const ps_draw_shape *b = find_type(sh, n, PS_SHAPE_BOX, 0);
    CHECK(b != NULL);
    if (b) {
        CHECK_EQ(b->segment, (int32_t)box.index + 1);
        CHECK_EQ(b->role, PS_ROLE_COLLISION);
        CHECK_NEAR(b->pose.p.x, 1.1, 1e-9);
        CHECK_NEAR(b->pose.p.y, 2, 1e-9);
        CHECK_NEAR(b->pose.p.z, 0.25, 1e-9);
        CHECK_NEAR(b->size.x, 0.5, 1e-12);
        CHECK(b->rgba[0] == 1 && b->rgba[1] == 0 && b->rgba[3] == 1);
        CHECK(b->mesh == UINT32_MAX && b->mesh_path == NULL);
    }
    const ps_draw_shape *sp = find_type(sh, n, PS_SHAPE_SPHERE, 0);
    CHECK(sp && sp->radius == 0.1 && fabs(sp->pose.p.z - 0.55) < 1e-9);
    const ps_draw_shape *cap = find_type(sh, n, PS_SHAPE_CAPSULE, 0);
    CHECK(cap && cap->radius == 0.1 && cap->length == 0.4 && cap->segment > 0);
    const ps_draw_shape *cyl = find_type(sh, n, PS_SHAPE_CYLINDER, 0);
    CHECK(cyl && fabs(cyl->pose.p.z - 1.5) < 1e-9);

    const ps_draw_shape *t1 = find_type(sh, n, PS_SHAPE_MESH, 0), *t2 = find_type(sh, n, PS_SHAPE_MESH, 1);
    CHECK(t1 && t2);
    if (t1 && t2) {
        CHECK(t1->mesh < nm && t1->mesh == t2->mesh);
        CHECK(t1->segment > 0 && t2->segment < 0 && t2->segment != pl->segment); // static: one id per geom
        const ps_snapshot_mesh *tm = &m[t1->mesh];
        CHECK_EQ(tm->vertex_count, 4);
        CHECK_EQ(tm->tri_count, 4);
        CHECK(tm->vertices[3] == 1.0f && tm->indices[1] == 2 && tm->heights == NULL);
        CHECK(tm->key != 0);
    }
    const ps_draw_shape *h = find_type(sh, n, PS_SHAPE_HEIGHTFIELD, 0);
    CHECK(h != NULL);
    if (h) {
        const ps_snapshot_mesh *hm = &m[h->mesh];
        CHECK(hm->rows == 3 && hm->cols == 2 && hm->heights && !hm->vertices);
        // Same layout as the def: row-major, row 0 at -y.
        for (int i = 0; i < 6; i++) CHECK_NEAR(hm->heights[i], hf[i], 1e-6);
        CHECK(h->size.x == 2 && h->size.y == 4);
        CHECK_NEAR(h->pose.p.x, 5, 1e-12);
        CHECK_NEAR(h->pose.q.w, 1, 1e-12); // the pose as given, not ODE's turned frame
        CHECK(h->segment < 0 && h->segment != pl->segment && h->segment != t2->segment);
    }
    // Re-capture after the world moved: same keys, new poses.
    uint64_t key0 = m[0].key;
    for (int i = 0; i < 50; i++) ps_world_step(w);
    CHECK_EQ(ps_snapshot_capture(s, w), PS_OK);
    sh = ps_snapshot_shapes(s, &n);
    m = ps_snapshot_meshes(s, &nm);
    CHECK_EQ(nm, 2);
    CHECK(m[0].key == key0);
    b = find_type(sh, n, PS_SHAPE_BOX, 0);
    ps_pose bp;
    ps_body_get_pose(w, box, &bp);
    CHECK(b && fabs(b->pose.p.z - bp.p.z) < 1e-9);
    CHECK(ps_snapshot_step(s) == 50);
    CHECK_NEAR(ps_snapshot_time(s), ps_world_time(w), 1e-12);
    ps_snapshot_destroy(s);
    ps_world_destroy(w);
}

static void test_hash_untouched_and_copy(void)
{
    ps_world *a = tu_world(), *b = tu_world();
    build(a);
    build(b);
    ps_snapshot *s = ps_snapshot_create();
    for (int i = 0; i < 200; i++) {
        ps_world_step(a);
        ps_world_step(b);
        uint64_t h = ps_world_state_hash(a);
        CHECK_EQ(ps_snapshot_capture(s, a), PS_OK);
        if (ps_world_state_hash(a) != h) CHECK(!"capture changed the state hash");
        if (ps_snapshot_state_hash(s) != h) CHECK(!"snapshot hash differs");
    }
    CHECK(ps_world_state_hash(a) == ps_world_state_hash(b));
    // A copy is deep: it outlives the world.
    ps_snapshot *c = ps_snapshot_create();
    CHECK_EQ(ps_snapshot_copy(c, s), PS_OK);
    ps_snapshot_destroy(s);
    ps_world_destroy(a);
    size_t n, nm, nd;
    const ps_draw_shape *sh = ps_snapshot_shapes(c, &n);
    const ps_snapshot_mesh *m = ps_snapshot_meshes(c, &nm);
    ps_snapshot_debug(c, &nd);
    CHECK_EQ(n, 8);
    CHECK_EQ(nm, 2);
    CHECK(nd > 0);
    const ps_draw_shape *t = find_type(sh, n, PS_SHAPE_MESH, 0);
    CHECK(t && m[t->mesh].vertices[5] == 0.0f && m[t->mesh].indices[4] == 1);
    CHECK(ps_snapshot_step(c) == 200);
    ps_snapshot_destroy(c);
    ps_snapshot_destroy(NULL);
    ps_world_destroy(b);
}

static size_t count_kind(const ps_debug_prim *d, size_t n, ps_debug_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += d[i].kind == k;
    return c;
}

static void test_debug(void)
{
    ps_world *w = tu_world();
    ps_geom_def g = ps_default_geom_def(PS_GEOM_PLANE);
    g.plane[2] = 1;
    ps_geom_create(w, PS_BODY_NONE, &g);
    ps_body_def bd = ps_default_body_def();
    bd.pose.p = tu_v(0, 0, 0.1);
    ps_body_id box = ps_body_create(w, &bd);
    g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.2, 0.2, 0.2);
    ps_geom_create(w, box, &g);
    bd.pose.p = tu_v(0, 0, 1);
    ps_body_id pend = ps_body_create(w, &bd);
    g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = 0.05;
    ps_geom_create(w, pend, &g);
    ps_joint_def jd = ps_default_joint_def(PS_JOINT_HINGE);
    jd.body1 = pend;
    jd.anchor = tu_v(0, 0, 1.5);
    jd.axis = tu_v(0, 1, 0);
    CHECK(ps_joint_create(w, &jd).gen != 0);
    ps_sensor_def sd = ps_default_sensor_def(PS_SENSOR_LIDAR);
    sd.name = "scan";
    ps_body_def st = ps_default_body_def();
    st.kind = PS_BODY_STATIC;
    st.pose.p = tu_v(-2, 0, 0.1);
    sd.body = ps_body_create(w, &st);
    sd.h_beams = 5;
    sd.h_fov = 0.2;
    sd.range_max = 10;
    CHECK(ps_sensor_create(w, &sd).gen != 0);
    CHECK_EQ(ps_world_add_zone(w, tu_v(1, 1, 0), tu_v(2, 3, 1)), PS_OK);
    CHECK_EQ(ps_world_add_zone(w, tu_v(1, 1, 0), tu_v(0, 3, 1)), PS_ERR_INVALID);
    CHECK_EQ(ps_world_add_zone(w, tu_v(NAN, 1, 0), tu_v(0, 3, 1)), PS_ERR_INVALID);
    CHECK_EQ(ps_world_zone_count(w), 1);
    for (int i = 0; i < 100; i++) ps_world_step(w);

    ps_snapshot *s = ps_snapshot_create();
    CHECK_EQ(ps_snapshot_capture(s, w), PS_OK);
    size_t n;
    const ps_debug_prim *d = ps_snapshot_debug(s, &n);
    size_t nc = 0;
    ps_world_contacts(w, &nc);
    CHECK(nc > 0);
    CHECK_EQ(count_kind(d, n, PS_DEBUG_CONTACT), nc);
    CHECK_EQ(count_kind(d, n, PS_DEBUG_JOINT_AXIS), 1);
    CHECK_EQ(count_kind(d, n, PS_DEBUG_COM), 2);
    CHECK_EQ(count_kind(d, n, PS_DEBUG_LIDAR), 5);
    CHECK_EQ(count_kind(d, n, PS_DEBUG_ZONE), 1);
    double fsum = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i].kind == PS_DEBUG_CONTACT) {
            fsum += d[i].value;
            CHECK(d[i].b.z > d[i].a.z); // the floor pushes the box up
        }
        if (d[i].kind == PS_DEBUG_JOINT_AXIS) {
            CHECK_NEAR(d[i].a.z, 1.5, 1e-6);
            CHECK_NEAR(d[i].b.y - d[i].a.y, 0.1, 1e-6);
        }
        if (d[i].kind == PS_DEBUG_LIDAR && fabs(d[i].b.y) < 1e-9) {
            // The centre beam hits the box's -x face at x = -0.1.
            CHECK_NEAR(d[i].b.x, -0.1, 2e-3);
            CHECK_NEAR(d[i].a.x, -2 + sd.range_min, 1e-9); // beams start at range_min
        }
        if (d[i].kind == PS_DEBUG_ZONE) {
            CHECK(d[i].a.x == 1 && d[i].a.y == 1 && d[i].b.x == 2 && d[i].b.y == 3 && d[i].b.z == 1);
            CHECK(d[i].rgba[3] < 1);
        }
    }
    // Normal forces carry the box's weight (1000 kg/m^3 * 0.008 m^3 * 9.81).
    CHECK_REL(fsum, 8 * 9.81, 0.05);
    ps_snapshot_destroy(s);
    ps_world_destroy(w);
}

static void test_robot_visuals(void)
{
    ps_world *w = tu_world();
    ps_urdf_options o = ps_urdf_default_options();
    ps_urdf_options_add_package_path(&o, PILOTSIM_SOURCE_DIR "/assets");
    ps_urdf_model *m = ps_urdf_load(PILOTSIM_SOURCE_DIR "/assets/example-robot-data/robots/ur_description/urdf/ur5_robot.urdf",
                                    &o, err, sizeof err);
    ps_urdf_options_clear(&o);
    CHECK(m != NULL);
    if (!m) {
        NOTE("%s", err);
        ps_world_destroy(w);
        return;
    }
    ps_urdf_build_options bo = ps_default_urdf_build_options();
    ps_robot_id r = ps_robot_from_urdf(w, m, &bo);
    CHECK(r.gen != 0);
    ps_snapshot *s = ps_snapshot_create();
    CHECK_EQ(ps_snapshot_capture(s, w), PS_OK);
    size_t n;
    const ps_draw_shape *sh = ps_snapshot_shapes(s, &n);
    size_t vis = 0, dae = 0, flagged = 0;
    for (size_t i = 0; i < n; i++) {
        if (sh[i].role == PS_ROLE_VISUAL) {
            vis++;
            CHECK(sh[i].segment > 0);
            if (sh[i].type == PS_SHAPE_MESH_FILE) {
                CHECK(sh[i].mesh_path && sh[i].mesh_path[0] == '/');
                if (sh[i].mesh_path && strstr(sh[i].mesh_path, ".dae")) dae++;
            }
        } else if (sh[i].robot_has_visuals) {
            flagged++;
        }
    }
    CHECK_EQ(vis, ps_robot_visual_count(w, r));
    CHECK(dae > 0);
    CHECK(flagged > 0);
    ps_snapshot_destroy(s);
    ps_urdf_free(m);
    ps_world_destroy(w);
}

// Lua: world:zone{min, max} adds a keep-out zone the snapshot shows; bad corners are errors.
static void test_lua_zone(void)
{
    FILE *f = fopen("zone_scene.lua", "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("return {name = 'z', timestep = 0.01, time_limit = 0.1,\n"
          "  params = {bad = {default = 0, min = 0, max = 1, integer = true}},\n"
          "  build = function(world, ctx)\n"
          "    world:zone{min = {1, 2, 0}, max = {3, 4, 1}}\n"
          "    if ctx.params.bad == 1 then world:zone{min = {1, 2, 0}, max = {0, 4, 1}} end\n"
          "  end}\n", f);
    fclose(f);
    ps_scene_options o = ps_default_scene_options();
    ps_scene *sc = ps_scene_load("zone_scene.lua", &o, err, sizeof err);
    CHECK(sc != NULL);
    if (!sc) { NOTE("%s", err); return; }
    ps_episode *e = ps_episode_begin(sc, 1);
    CHECK(e != NULL);
    ps_world *w = ps_episode_world(e);
    CHECK_EQ(ps_world_zone_count(w), 1);
    ps_snapshot *s = ps_snapshot_create();
    CHECK_EQ(ps_snapshot_capture(s, w), PS_OK);
    size_t n;
    const ps_debug_prim *d = ps_snapshot_debug(s, &n);
    CHECK_EQ(count_kind(d, n, PS_DEBUG_ZONE), 1);
    ps_snapshot_destroy(s);
    ps_episode_end(e);
    ps_scene_destroy(sc);
    const char *bad[] = {"bad=1"};
    o.params = bad;
    o.param_count = 1;
    sc = ps_scene_load("zone_scene.lua", &o, err, sizeof err);
    CHECK(sc != NULL);
    if (!sc) return;
    e = ps_episode_begin(sc, 1);
    CHECK(e && ps_episode_get_status(e) == PS_EP_SCRIPT_ERROR);
    CHECK(e && strstr(ps_episode_message(e), "world:zone") != NULL);
    CHECK(e && strstr(ps_episode_message(e), "zone_scene.lua:5") != NULL);
    if (e) NOTE("%s", ps_episode_message(e));
    ps_episode_end(e);
    ps_scene_destroy(sc);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_geoms);
    RUN(test_hash_untouched_and_copy);
    RUN(test_debug);
    RUN(test_robot_visuals);
    RUN(test_lua_zone);
    return TEST_DONE();
}
