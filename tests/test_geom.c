// Tests of collision geometry (geom.h): every type, validation, volumes,
// resting heights on heightfields and trimeshes, category/collide filtering.
#include "harness.h"
#include "test_util.h"

// A closed unit cube [0,1]^3 as a triangle mesh, counter-clockwise seen from
// outside (outward normals).
static const double cube_vertices[8 * 3] = {
    0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, // z = 0: 0 1 2 3
    0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, // z = 1: 4 5 6 7
};
static const int cube_indices[12 * 3] = {
    0, 2, 1, 0, 3, 2, // bottom (-z)
    4, 5, 6, 4, 6, 7, // top (+z)
    0, 1, 5, 0, 5, 4, // y = 0 (-y)
    2, 3, 7, 2, 7, 6, // y = 1 (+y)
    1, 2, 6, 1, 6, 5, // x = 1 (+x)
    0, 4, 7, 0, 7, 3, // x = 0 (-x)
};

// A 4 m x 4 m floor at z = 0 made of two triangles facing +z.
static const double floor_vertices[4 * 3] = { -2, -2, 0, 2, -2, 0, 2, 2, 0, -2, 2, 0 };
static const int floor_indices[2 * 3] = { 0, 1, 2, 0, 2, 3 };

static void test_default_def(void)
{
    ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
    CHECK_EQ(g.type, PS_GEOM_SPHERE);
    CHECK(g.name == NULL);
    CHECK(g.pose.q.w == 1 && g.pose.p.x == 0 && g.pose.p.y == 0 && g.pose.p.z == 0);
    CHECK(g.density == 1000);
    CHECK(g.material.index == 0 && g.material.world == 0); // PS_MATERIAL_DEFAULT
    CHECK_EQ(g.category, 1);
    CHECK(g.collide == UINT32_MAX);
    CHECK_NEAR(g.rgba[0], 0.7, 1e-6);
    CHECK_NEAR(g.rgba[1], 0.7, 1e-6);
    CHECK_NEAR(g.rgba[2], 0.7, 1e-6);
    CHECK_NEAR(g.rgba[3], 1.0, 1e-6);
    CHECK(g.heights == NULL && g.vertices == NULL && g.indices == NULL);
    CHECK_EQ(ps_default_geom_def(PS_GEOM_TRIMESH).type, PS_GEOM_TRIMESH);
    CHECK_EQ(ps_default_geom_def(PS_GEOM_PLANE).type, PS_GEOM_PLANE);
}

static void test_create_each_type(void)
{
    ps_world *w = tu_world();
    ps_body_def bd = ps_default_body_def();
    bd.pose = tu_pose(0, 0, 3);
    ps_body_id b = ps_body_create(w, &bd);

    ps_geom_def box = ps_default_geom_def(PS_GEOM_BOX);
    box.size = tu_v(0.1, 0.2, 0.3);
    box.name = "the-box";
    ps_geom_def sph = ps_default_geom_def(PS_GEOM_SPHERE);
    sph.radius = 0.1;
    sph.pose = tu_pose(0.5, 0, 0);
    ps_geom_def cap = ps_default_geom_def(PS_GEOM_CAPSULE);
    cap.radius = 0.05;
    cap.length = 0.3;
    cap.pose = tu_pose(-0.5, 0, 0);
    ps_geom_def cyl = ps_default_geom_def(PS_GEOM_CYLINDER);
    cyl.radius = 0.05;
    cyl.length = 0.2;
    cyl.pose = tu_pose(0, 0.5, 0);
    ps_geom_def tri = ps_default_geom_def(PS_GEOM_TRIMESH);
    tri.vertices = cube_vertices;
    tri.vertex_count = 8;
    tri.indices = cube_indices;
    tri.tri_count = 12;
    tri.pose = tu_pose(0, -1.5, 0);

    ps_geom_id gb = ps_geom_create(w, b, &box);
    ps_geom_id gs = ps_geom_create(w, b, &sph);
    ps_geom_id gc = ps_geom_create(w, b, &cap);
    ps_geom_id gy = ps_geom_create(w, b, &cyl);
    ps_geom_id gt = ps_geom_create(w, b, &tri);
    CHECK(tu_geom_set(gb) && tu_geom_set(gs) && tu_geom_set(gc) && tu_geom_set(gy) &&
          tu_geom_set(gt));
    CHECK_EQ(ps_body_geom_count(w, b), 5);
    CHECK(tu_same_body(ps_geom_body(w, gs), b));

    ps_geom_def pl = ps_default_geom_def(PS_GEOM_PLANE);
    pl.plane[0] = 0;
    pl.plane[1] = 0;
    pl.plane[2] = 2; // normalised by the library
    pl.plane[3] = 0;
    ps_geom_id gp = ps_geom_create(w, PS_BODY_NONE, &pl);
    CHECK(tu_geom_set(gp));
    double heights[2 * 3] = { 0, 0.1, 0.2, 0, 0.1, 0.2 };
    ps_geom_def hf = ps_default_geom_def(PS_GEOM_HEIGHTFIELD);
    hf.heights = heights;
    hf.rows = 2;
    hf.cols = 3;
    hf.size = tu_v(2, 1, 0);
    hf.pose = tu_pose(10, 10, 0);
    ps_geom_id gh = ps_geom_create(w, PS_BODY_NONE, &hf);
    CHECK(tu_geom_set(gh));
    heights[0] = 99; // copied: the caller's array may change
    ps_geom_def stri = tri;
    stri.pose = tu_pose(-10, -10, 0);
    ps_geom_id gst = ps_geom_create(w, PS_BODY_NONE, &stri);
    CHECK(tu_geom_set(gst));
    CHECK(!ps_body_is_set(ps_geom_body(w, gp)));
    CHECK_EQ(ps_body_geom_count(w, PS_BODY_NONE), 3);
    CHECK_EQ(ps_world_geom_count(w), 8);

    // The def comes back: pointers NULL, name borrowed, sizes as given.
    ps_geom_def out;
    CHECK_EQ(ps_geom_get_def(w, gb, &out), PS_OK);
    CHECK_EQ(out.type, PS_GEOM_BOX);
    CHECK(out.name && strcmp(out.name, "the-box") == 0);
    CHECK(out.size.x == 0.1 && out.size.y == 0.2 && out.size.z == 0.3);
    CHECK_EQ(ps_geom_get_def(w, gc, &out), PS_OK);
    CHECK(out.radius == 0.05 && out.length == 0.3);
    CHECK_EQ(ps_geom_get_def(w, gt, &out), PS_OK);
    CHECK(out.vertices == NULL && out.indices == NULL);
    CHECK_EQ(out.vertex_count, 8);
    CHECK_EQ(out.tri_count, 12);
    CHECK_EQ(ps_geom_get_def(w, gh, &out), PS_OK);
    CHECK(out.heights == NULL);
    CHECK_EQ(out.rows, 2);
    CHECK_EQ(out.cols, 3);

    // World poses: body at (0,0,3) plus the geom offsets.
    ps_pose wp;
    CHECK_EQ(ps_geom_get_world_pose(w, gs, &wp), PS_OK);
    CHECK_NEAR(wp.p.x, 0.5, 1e-12);
    CHECK_NEAR(wp.p.z, 3, 1e-12);
    CHECK_EQ(ps_geom_get_world_pose(w, gh, &wp), PS_OK);
    CHECK_NEAR(wp.p.x, 10, 1e-12);
    CHECK_NEAR(wp.p.y, 10, 1e-12);
    CHECK_NEAR(tu_quat_angle(wp.q, ps_pose_identity().q), 0, 1e-9); // z-up as given

    // Everything steps; the body falls onto the plane.
    CHECK_EQ(tu_step(w, 1000), PS_OK);
    CHECK(tu_pos(w, b).z < 2.0);
    CHECK(tu_pos(w, b).z > -0.5);

    // Destroying a geom: stale id, counts drop, automatic mass not recomputed.
    double m0, m1, I[6];
    ps_vec3 com;
    CHECK_EQ(ps_body_get_mass(w, b, &m0, &com, I), PS_OK);
    CHECK_EQ(ps_geom_destroy(w, gs), PS_OK);
    CHECK(!ps_geom_valid(w, gs));
    CHECK_EQ(ps_geom_destroy(w, gs), PS_ERR_STALE);
    CHECK_EQ(ps_geom_get_def(w, gs, &out), PS_ERR_STALE);
    CHECK_EQ(ps_geom_get_world_pose(w, gs, &wp), PS_ERR_STALE);
    CHECK_EQ(ps_body_geom_count(w, b), 4);
    CHECK_EQ(ps_world_geom_count(w), 7);
    CHECK_EQ(ps_body_get_mass(w, b, &m1, &com, I), PS_OK);
    CHECK(m0 == m1);
    CHECK_EQ(ps_geom_destroy(w, gh), PS_OK);
    CHECK_EQ(ps_body_geom_count(w, PS_BODY_NONE), 2);
    CHECK_EQ(tu_step(w, 10), PS_OK);
    ps_world_destroy(w);
}

static void test_invalid(void)
{
    ps_world *w = tu_world();
    ps_body_id b = tu_sphere_body(w, "b", tu_pose(0, 0, 1), 0.1, 1000);
    ps_body_def kd = ps_default_body_def();
    kd.kind = PS_BODY_KINEMATIC;
    ps_body_id kin = ps_body_create(w, &kd);
    size_t before = ps_world_geom_count(w);
    double hts[4] = { 0, 0, 0, 0 };
    double nan_hts[4] = { 0, NAN, 0, 0 };
    const int bad_idx[3] = { 0, 1, 8 };
    const int neg_idx[3] = { 0, -1, 2 };
    double nan_vert[9] = { 0, 0, 0, 1, 0, 0, 0, NAN, 0 };
    const int tri_idx[3] = { 0, 1, 2 };

#define BAD(type, on, ...) \
    do { \
        ps_geom_def g_ = ps_default_geom_def(type); \
        g_.size = tu_v(1, 1, 1); \
        g_.radius = 0.1; \
        g_.length = 0.2; \
        g_.plane[2] = 1; \
        g_.heights = hts; \
        g_.rows = 2; \
        g_.cols = 2; \
        g_.vertices = cube_vertices; \
        g_.vertex_count = 8; \
        g_.indices = cube_indices; \
        g_.tri_count = 12; \
        __VA_ARGS__; \
        ps_geom_id id_ = ps_geom_create(w, on, &g_); \
        if (!CHECK(!tu_geom_set(id_))) NOTE("accepted: %s", #__VA_ARGS__); \
        else if (!CHECK(ps_world_last_error(w)[0] != '\0')) NOTE("no message: %s", #__VA_ARGS__); \
    } while (0)

    BAD(PS_GEOM_BOX, b, g_.size.x = 0);
    BAD(PS_GEOM_BOX, b, g_.size.y = -1);
    BAD(PS_GEOM_BOX, b, g_.size.z = NAN);
    BAD(PS_GEOM_BOX, b, g_.size.z = INFINITY);
    BAD(PS_GEOM_SPHERE, b, g_.radius = 0);
    BAD(PS_GEOM_SPHERE, b, g_.radius = -0.1);
    BAD(PS_GEOM_SPHERE, b, g_.radius = NAN);
    BAD(PS_GEOM_CAPSULE, b, g_.radius = 0);
    BAD(PS_GEOM_CAPSULE, b, g_.length = 0);
    BAD(PS_GEOM_CAPSULE, b, g_.length = -1);
    BAD(PS_GEOM_CYLINDER, b, g_.radius = -1);
    BAD(PS_GEOM_CYLINDER, b, g_.length = 0);
    BAD(PS_GEOM_CYLINDER, b, g_.length = NAN);
    BAD(PS_GEOM_SPHERE, b, g_.density = -1);
    BAD(PS_GEOM_SPHERE, b, g_.density = NAN);
    BAD(PS_GEOM_SPHERE, b, g_.pose.p.x = NAN);
    BAD(PS_GEOM_SPHERE, b, g_.pose.q = (ps_quat){ 0, 0, 0, 0 });
    BAD(PS_GEOM_SPHERE, b, g_.material = ((ps_material_id){1234, ps_world_tag(w)}));
    BAD(PS_GEOM_SPHERE, b, g_.material = PS_MATERIAL_NONE);
    BAD(PS_GEOM_SPHERE, b, g_.type = (ps_geom_type)42);
    // Planes and heightfields are static only.
    BAD(PS_GEOM_PLANE, b, (void)0);
    BAD(PS_GEOM_PLANE, kin, (void)0);
    BAD(PS_GEOM_HEIGHTFIELD, b, (void)0);
    BAD(PS_GEOM_HEIGHTFIELD, kin, (void)0);
    BAD(PS_GEOM_PLANE, PS_BODY_NONE, g_.plane[2] = 0);
    BAD(PS_GEOM_PLANE, PS_BODY_NONE, g_.plane[3] = NAN);
    BAD(PS_GEOM_HEIGHTFIELD, PS_BODY_NONE, g_.rows = 1);
    BAD(PS_GEOM_HEIGHTFIELD, PS_BODY_NONE, g_.cols = 0);
    BAD(PS_GEOM_HEIGHTFIELD, PS_BODY_NONE, g_.heights = NULL);
    BAD(PS_GEOM_HEIGHTFIELD, PS_BODY_NONE, g_.heights = nan_hts);
    BAD(PS_GEOM_HEIGHTFIELD, PS_BODY_NONE, g_.size.x = 0);
    BAD(PS_GEOM_HEIGHTFIELD, PS_BODY_NONE, g_.size.y = -2);
    BAD(PS_GEOM_TRIMESH, PS_BODY_NONE, g_.indices = bad_idx; g_.tri_count = 1);
    BAD(PS_GEOM_TRIMESH, PS_BODY_NONE, g_.indices = neg_idx; g_.tri_count = 1);
    BAD(PS_GEOM_TRIMESH, PS_BODY_NONE, g_.vertices = NULL);
    BAD(PS_GEOM_TRIMESH, PS_BODY_NONE, g_.indices = NULL);
    BAD(PS_GEOM_TRIMESH, PS_BODY_NONE, g_.tri_count = 0);
    BAD(PS_GEOM_TRIMESH, PS_BODY_NONE, g_.vertex_count = 2);
    BAD(PS_GEOM_TRIMESH, PS_BODY_NONE,
        g_.vertices = nan_vert; g_.vertex_count = 3; g_.indices = tri_idx; g_.tri_count = 1);
#undef BAD
    CHECK_EQ(ps_world_geom_count(w), before);

    // On a stale body.
    ps_body_id gone = tu_sphere_body(w, "gone", tu_pose(0, 0, 1), 0.1, 1000);
    CHECK_EQ(ps_body_destroy(w, gone), PS_OK);
    ps_geom_def s = ps_default_geom_def(PS_GEOM_SPHERE);
    s.radius = 0.1;
    CHECK(!tu_geom_set(ps_geom_create(w, gone, &s)));

    // Material setter.
    ps_geom_id g = ps_geom_create(w, b, &s);
    CHECK_EQ(ps_geom_set_material(w, g, ((ps_material_id){999, ps_world_tag(w)})), PS_ERR_INVALID);
    ps_material_def md = ps_default_material_def();
    md.name = "steel";
    ps_material_id steel = ps_material_create(w, &md);
    CHECK_EQ(ps_geom_set_material(w, g, steel), PS_OK);
    ps_geom_def out;
    CHECK_EQ(ps_geom_get_def(w, g, &out), PS_OK);
    CHECK(out.material.index == steel.index && out.material.world == steel.world);
    ps_geom_id stale = { g.index, g.gen + 1, g.world };
    CHECK_EQ(ps_geom_set_material(w, stale, steel), PS_ERR_STALE);
    CHECK(!ps_geom_valid(w, PS_GEOM_NONE));
    CHECK_EQ(tu_step(w, 5), PS_OK);
    ps_world_destroy(w);
}

static void test_volumes(void)
{
    ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
    g.size = tu_v(0.5, 2, 3);
    CHECK_REL(ps_geom_volume(&g), 3.0, 1e-12);
    g = ps_default_geom_def(PS_GEOM_SPHERE);
    g.radius = 0.3;
    CHECK_REL(ps_geom_volume(&g), 4.0 / 3.0 * M_PI * 0.027, 1e-12);
    g = ps_default_geom_def(PS_GEOM_CAPSULE);
    g.radius = 0.2;
    g.length = 1.5;
    CHECK_REL(ps_geom_volume(&g), M_PI * 0.04 * 1.5 + 4.0 / 3.0 * M_PI * 0.008, 1e-12);
    g = ps_default_geom_def(PS_GEOM_CYLINDER);
    g.radius = 0.2;
    g.length = 1.5;
    CHECK_REL(ps_geom_volume(&g), M_PI * 0.04 * 1.5, 1e-12);
    g = ps_default_geom_def(PS_GEOM_PLANE);
    g.plane[2] = 1;
    CHECK(ps_geom_volume(&g) == 0);
    double hts[4] = { 1, 1, 1, 1 };
    g = ps_default_geom_def(PS_GEOM_HEIGHTFIELD);
    g.heights = hts;
    g.rows = g.cols = 2;
    g.size = tu_v(1, 1, 0);
    CHECK(ps_geom_volume(&g) == 0);
    // A closed trimesh encloses a volume (the unit cube).
    g = ps_default_geom_def(PS_GEOM_TRIMESH);
    g.vertices = cube_vertices;
    g.vertex_count = 8;
    g.indices = cube_indices;
    g.tri_count = 12;
    CHECK_REL(ps_geom_volume(&g), 1.0, 1e-12);

    // Automatic mass follows the same volumes.
    ps_world *w = tu_world();
    ps_geom_def shapes[3];
    shapes[0] = ps_default_geom_def(PS_GEOM_CAPSULE);
    shapes[0].radius = 0.2;
    shapes[0].length = 1.5;
    shapes[1] = ps_default_geom_def(PS_GEOM_CYLINDER);
    shapes[1].radius = 0.2;
    shapes[1].length = 1.5;
    shapes[2] = ps_default_geom_def(PS_GEOM_SPHERE);
    shapes[2].radius = 0.3;
    for (int i = 0; i < 3; i++) {
        shapes[i].density = 800;
        ps_body_def bd = ps_default_body_def();
        ps_body_id b = ps_body_create(w, &bd);
        CHECK(tu_geom_set(ps_geom_create(w, b, &shapes[i])));
        double m, I[6];
        ps_vec3 com;
        CHECK_EQ(ps_body_get_mass(w, b, &m, &com, I), PS_OK);
        CHECK_REL(m, 800 * ps_geom_volume(&shapes[i]), 1e-9);
    }
    ps_world_destroy(w);
}

static void test_trimesh_mass_and_rest(void)
{
    // The unit-cube mesh spans [0,1]^3 in the link frame: mass 1000 kg, COM
    // at (0.5, 0.5, 0.5), inertia about the COM m/6 on the diagonal. The body
    // is away from the origin (ODE's trimesh mass works in world coordinates).
    ps_world *w = tu_world();
    tu_ground(w);
    ps_body_def bd = ps_default_body_def();
    bd.name = "meshcube";
    bd.pose = tu_pose(3, -2, 0.5);
    ps_body_id b = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_TRIMESH);
    g.vertices = cube_vertices;
    g.vertex_count = 8;
    g.indices = cube_indices;
    g.tri_count = 12;
    CHECK(tu_geom_set(ps_geom_create(w, b, &g)));
    double m, I[6];
    ps_vec3 com;
    CHECK_EQ(ps_body_get_mass(w, b, &m, &com, I), PS_OK);
    CHECK_REL(m, 1000, 1e-9);
    CHECK_NEAR(com.x, 0.5, 1e-9);
    CHECK_NEAR(com.y, 0.5, 1e-9);
    CHECK_NEAR(com.z, 0.5, 1e-9);
    CHECK_REL(I[0], 1000.0 / 6, 1e-6);
    CHECK_REL(I[1], 1000.0 / 6, 1e-6);
    CHECK_REL(I[2], 1000.0 / 6, 1e-6);
    CHECK_NEAR(I[3], 0, 1e-6);
    // Dropped onto the ground plane it lands flat: link origin (a corner) at
    // z = 0 (tolerance 2 mm: surface layer 1 mm), not turned.
    CHECK_EQ(tu_step(w, 1000), PS_OK);
    ps_vec3 p = tu_pos(w, b);
    CHECK_NEAR(p.z, 0, 0.002);
    CHECK_NEAR(p.x, 3, 0.01);
    CHECK_NEAR(tu_quat_angle(tu_rot(w, b), ps_pose_identity().q), 0, 0.01);
    ps_world_destroy(w);
}

static void test_heightfield_rest(void)
{
    // 5 columns along x (-2..2 m) by 3 rows along y (-1..1 m), shifted by
    // the geom pose (0.5, -0.25, 0.05). A raised plateau (0.5 m) covers
    // columns 3-4 of rows 1-2, i.e. local x in [1, 2], y in [0, 1]; the rest
    // is 0.1 m. Mirroring rows or columns would put a slope under the ball.
    const int rows = 3, cols = 5;
    double h[3 * 5];
    for (int j = 0; j < rows; j++)
        for (int i = 0; i < cols; i++) h[j * cols + i] = (i >= 3 && j >= 1) ? 0.5 : 0.1;
    ps_world *w = tu_world();
    ps_geom_def hf = ps_default_geom_def(PS_GEOM_HEIGHTFIELD);
    hf.heights = h;
    hf.rows = rows;
    hf.cols = cols;
    hf.size = tu_v(4, 2, 0);
    hf.pose = tu_pose(0.5, -0.25, 0.05);
    CHECK(tu_geom_set(ps_geom_create(w, PS_BODY_NONE, &hf)));
    const double r = 0.1;
    // World positions of a plateau point and of a low point.
    ps_body_id high = tu_sphere_body(w, "high", tu_pose(0.5 + 1.5, -0.25 + 0.5, 1.0), r, 1000);
    ps_body_id low = tu_sphere_body(w, "low", tu_pose(0.5 - 1.0, -0.25 - 0.5, 1.0), r, 1000);
    CHECK_EQ(tu_step(w, 1000), PS_OK); // 2 s
    ps_vec3 ph = tu_pos(w, high), pl = tu_pos(w, low);
    // Rest height = field height + geom z + radius, within 2 mm.
    if (!CHECK_NEAR(ph.z, 0.05 + 0.5 + r, 0.002)) NOTE("plateau ball at z=%g", ph.z);
    if (!CHECK_NEAR(pl.z, 0.05 + 0.1 + r, 0.002)) NOTE("low ball at z=%g", pl.z);
    CHECK_NEAR(ph.x, 2.0, 0.01);
    CHECK_NEAR(ph.y, 0.25, 0.01);
    CHECK_NEAR(pl.x, -0.5, 0.01);
    CHECK_NEAR(pl.y, -0.75, 0.01);
    // At rest.
    CHECK(tu_norm(tu_linvel(w, high)) < 0.01);
    CHECK(tu_norm(tu_linvel(w, low)) < 0.01);
    ps_world_destroy(w);
}

static void test_trimesh_floor_rest(void)
{
    ps_world *w = tu_world();
    ps_geom_def g = ps_default_geom_def(PS_GEOM_TRIMESH);
    g.vertices = floor_vertices;
    g.vertex_count = 4;
    g.indices = floor_indices;
    g.tri_count = 2;
    CHECK(tu_geom_set(ps_geom_create(w, PS_BODY_NONE, &g)));
    const double r = 0.1;
    ps_body_id s = tu_sphere_body(w, "ball", tu_pose(0.3, -0.4, 0.5), r, 1000);
    ps_body_id bx = tu_box_body(w, "box", tu_pose(-1, 1, 0.5), 0.2, 0.2, 0.2, 500);
    CHECK_EQ(tu_step(w, 750), PS_OK); // 1.5 s
    ps_vec3 p = tu_pos(w, s);
    if (!CHECK_NEAR(p.z, r, 0.002)) NOTE("ball on trimesh floor at z=%g", p.z);
    CHECK_NEAR(p.x, 0.3, 0.01);
    CHECK_NEAR(p.y, -0.4, 0.01);
    CHECK(tu_norm(tu_linvel(w, s)) < 0.01);
    CHECK_NEAR(tu_pos(w, bx).z, 0.1, 0.002);
    size_t n = 0;
    ps_world_contacts(w, &n);
    CHECK(n > 0);
    ps_world_destroy(w);
}

static void test_upright_shapes(void)
{
    // Cylinders and capsules lie along their local z.
    ps_world *w = tu_world();
    tu_ground(w);
    ps_body_def bd = ps_default_body_def();
    bd.pose = tu_pose(0, 0, 0.3);
    ps_body_id cyl = ps_body_create(w, &bd);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_CYLINDER);
    g.radius = 0.1;
    g.length = 0.4;
    ps_geom_create(w, cyl, &g);
    bd.pose = tu_pose(1, 0, 0.2);
    bd.pose.q = tu_quat_axis(1, 0, 0, M_PI / 2); // lying along y
    ps_body_id cap = ps_body_create(w, &bd);
    g = ps_default_geom_def(PS_GEOM_CAPSULE);
    g.radius = 0.1;
    g.length = 0.4;
    ps_geom_create(w, cap, &g);
    CHECK_EQ(tu_step(w, 500), PS_OK);
    CHECK_NEAR(tu_pos(w, cyl).z, 0.2, 0.002); // stands on its flat end
    CHECK_NEAR(tu_pos(w, cap).z, 0.1, 0.002); // lies on its side
    ps_world_destroy(w);
}

static bool touches(const ps_world *w, ps_body_id b)
{
    size_t n = 0;
    const ps_contact *c = ps_world_contacts(w, &n);
    for (size_t i = 0; i < n; i++)
        if (tu_same_body(c[i].body1, b) || tu_same_body(c[i].body2, b)) return true;
    return false;
}

static void test_collision_filter(void)
{
    // The rule (geom.h): A and B are tested when (A.category & B.collide) or
    // (B.category & A.collide) is non-zero, as in ODE and MuJoCo.
    ps_world *w = tu_world();
    ps_geom_def floor = ps_default_geom_def(PS_GEOM_PLANE);
    floor.plane[2] = 1;
    floor.category = 1;
    floor.collide = ~6u; // the floor refuses categories 2 and 4
    CHECK(tu_geom_set(ps_geom_create(w, PS_BODY_NONE, &floor)));
    ps_geom_def s = ps_default_geom_def(PS_GEOM_SPHERE);
    s.radius = 0.1;
    ps_body_def bd = ps_default_body_def();
    bd.name = "ghost"; // refuses the floor's category, and the floor refuses it: no test
    bd.pose = tu_pose(0, 0, 0.5);
    ps_body_id ghost = ps_body_create(w, &bd);
    s.category = 2;
    s.collide = ~1u;
    ps_geom_create(w, ghost, &s);
    bd.name = "solid"; // both accept each other
    bd.pose = tu_pose(1, 0, 0.5);
    ps_body_id solid = ps_body_create(w, &bd);
    s.category = 8;
    s.collide = UINT32_MAX;
    ps_geom_create(w, solid, &s);
    bd.name = "blocked"; // the floor refuses category 4 and it refuses the floor
    bd.pose = tu_pose(2, 0, 0.5);
    ps_body_id blocked = ps_body_create(w, &bd);
    s.category = 4;
    s.collide = ~1u;
    ps_geom_create(w, blocked, &s);
    bd.name = "oneway"; // the floor refuses category 2, but it accepts the floor: tested
    bd.pose = tu_pose(3, 0, 0.5);
    ps_body_id oneway = ps_body_create(w, &bd);
    s.category = 2;
    s.collide = UINT32_MAX;
    ps_geom_create(w, oneway, &s);
    bool ghost_touched = false, blocked_touched = false, solid_touched = false;
    for (int i = 0; i < 500; i++) {
        CHECK_EQ(ps_world_step(w), PS_OK);
        ghost_touched |= touches(w, ghost);
        blocked_touched |= touches(w, blocked);
        solid_touched |= touches(w, solid);
    }
    CHECK(!ghost_touched);
    CHECK(!blocked_touched);
    CHECK(solid_touched);
    CHECK(tu_pos(w, ghost).z < -0.5);
    CHECK(tu_pos(w, blocked).z < -0.5);
    CHECK_NEAR(tu_pos(w, solid).z, 0.1, 0.002);
    CHECK_NEAR(tu_pos(w, oneway).z, 0.1, 0.002);
    ps_world_destroy(w);

    // Geoms of one body never collide with each other.
    w = tu_world_nograv();
    bd = ps_default_body_def();
    ps_body_id two = ps_body_create(w, &bd);
    s = ps_default_geom_def(PS_GEOM_SPHERE);
    s.radius = 0.2;
    ps_geom_create(w, two, &s);
    s.pose = tu_pose(0.1, 0, 0);
    ps_geom_create(w, two, &s);
    CHECK_EQ(tu_step(w, 5), PS_OK);
    size_t n = 7;
    ps_world_contacts(w, &n);
    CHECK_EQ(n, 0);
    ps_world_destroy(w);
}

int main(void)
{
    RUN(test_default_def);
    RUN(test_create_each_type);
    RUN(test_invalid);
    RUN(test_volumes);
    RUN(test_trimesh_mass_and_rest);
    RUN(test_heightfield_rest);
    RUN(test_trimesh_floor_rest);
    RUN(test_upright_shapes);
    RUN(test_collision_filter);
    return TEST_DONE();
}
