// Mesh readers: STL (binary, ASCII) and OBJ, welding, scale, bounds and
// volume, the example-robot-data meshes, and a battery of malformed files.
#include "harness.h"
#include "pilotsim/mesh.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif
#define ROBOTS PILOTSIM_SOURCE_DIR "/assets/example-robot-data/robots"

static char err[PS_ERR_LEN];
static const ps_vec3 ONE = {1, 1, 1};

// Unit cube [0,1]^3: corner i = (i&1, i>>1&1, i>>2&1), 12 triangles wound
// counter-clockwise seen from outside.
static const int CUBE_TRIS[12][3] = {
    {0, 2, 3}, {0, 3, 1}, {4, 5, 7}, {4, 7, 6}, {0, 1, 5}, {0, 5, 4},
    {2, 6, 7}, {2, 7, 3}, {0, 4, 6}, {0, 6, 2}, {1, 3, 7}, {1, 7, 5},
};

static void cube_corner(int i, double off[3], double out[3])
{
    out[0] = (i & 1) + off[0];
    out[1] = ((i >> 1) & 1) + off[1];
    out[2] = ((i >> 2) & 1) + off[2];
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

// Binary STL in memory: 80-byte header, count, 50 bytes per triangle.
typedef struct stlbuf {
    unsigned char *data;
    size_t len;
} stlbuf;

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
}

static void put_f32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32(p, u);
}

static stlbuf stl_new(const char *header, uint32_t ntri)
{
    stlbuf s;
    s.len = 84 + 50 * (size_t)ntri;
    s.data = calloc(1, s.len);
    if (!s.data) exit(2);
    memcpy(s.data, header, strlen(header) < 80 ? strlen(header) : 80);
    put_u32(s.data + 80, ntri);
    return s;
}

static void stl_set_tri(stlbuf *s, uint32_t i, const double a[3], const double b[3],
                        const double c[3])
{
    unsigned char *p = s->data + 84 + 50 * (size_t)i;
    const double *v[3] = {a, b, c};
    for (int k = 0; k < 3; k++) put_f32(p + 4 * k, 0.0f); // normal: ignored
    for (int j = 0; j < 3; j++)
        for (int k = 0; k < 3; k++) put_f32(p + 12 + 12 * j + 4 * k, (float)v[j][k]);
}

static stlbuf cube_binary(const char *header)
{
    stlbuf s = stl_new(header, 12);
    double off[3] = {0, 0, 0}, c[3][3];
    for (int t = 0; t < 12; t++) {
        for (int j = 0; j < 3; j++) cube_corner(CUBE_TRIS[t][j], off, c[j]);
        stl_set_tri(&s, (uint32_t)t, c[0], c[1], c[2]);
    }
    return s;
}

static void cube_ascii(const char *path, double off[3])
{
    FILE *f = fopen(path, "w");
    if (!f) exit(2);
    fprintf(f, "solid cube\n");
    for (int t = 0; t < 12; t++) {
        fprintf(f, "  facet normal 0 0 0\n    outer loop\n");
        for (int j = 0; j < 3; j++) {
            double c[3];
            cube_corner(CUBE_TRIS[t][j], off, c);
            fprintf(f, "      vertex %.17g %.17g %.17g\n", c[0], c[1], c[2]);
        }
        fprintf(f, "    endloop\n  endfacet\n");
    }
    fprintf(f, "endsolid cube\n");
    fclose(f);
}

static ps_mesh *load(const char *path, ps_vec3 scale)
{
    err[0] = '\0';
    return ps_mesh_load(path, scale, err, sizeof err);
}

// Every index in range and the counts positive.
static bool mesh_sane(const ps_mesh *m)
{
    if (!m || m->vertex_count < 1 || m->tri_count < 1 || !m->vertices || !m->indices)
        return false;
    for (size_t i = 0; i < 3 * (size_t)m->tri_count; i++)
        if (m->indices[i] < 0 || m->indices[i] >= m->vertex_count) return false;
    for (size_t i = 0; i < 3 * (size_t)m->vertex_count; i++)
        if (!isfinite(m->vertices[i])) return false;
    return true;
}

static void check_unit_cube(ps_mesh *m, ps_vec3 lo_want, ps_vec3 hi_want, double vol)
{
    if (!CHECK(m != NULL)) {
        NOTE("%s", err);
        return;
    }
    CHECK(mesh_sane(m));
    CHECK_EQ(m->vertex_count, 8);
    CHECK_EQ(m->tri_count, 12);
    CHECK_NEAR(ps_mesh_volume(m), vol, 1e-12);
    ps_vec3 lo, hi;
    CHECK_EQ(ps_mesh_bounds(m, &lo, &hi), PS_OK);
    CHECK_NEAR(lo.x, lo_want.x, 0);
    CHECK_NEAR(lo.y, lo_want.y, 0);
    CHECK_NEAR(lo.z, lo_want.z, 0);
    CHECK_NEAR(hi.x, hi_want.x, 0);
    CHECK_NEAR(hi.y, hi_want.y, 0);
    CHECK_NEAR(hi.z, hi_want.z, 0);
}

// ---------------------------------------------------------------------------

static void test_binary_stl_cube(void)
{
    // A binary STL whose header starts with "solid", as many exporters write.
    stlbuf s = cube_binary("solid exported by a binary writer");
    write_bytes("cube_bin.stl", s.data, s.len);
    ps_mesh *m = load("cube_bin.stl", ONE);
    check_unit_cube(m, (ps_vec3){0, 0, 0}, (ps_vec3){1, 1, 1}, 1);
    ps_mesh_free(m);

    // Upper-case extension, plain header.
    stlbuf s2 = cube_binary("");
    write_bytes("CUBE_BIN2.STL", s2.data, s2.len);
    m = load("CUBE_BIN2.STL", ONE);
    check_unit_cube(m, (ps_vec3){0, 0, 0}, (ps_vec3){1, 1, 1}, 1);
    ps_mesh_free(m);
    free(s.data);
    free(s2.data);
}

static void test_ascii_stl_cube(void)
{
    double off[3] = {10, -20, 30}; // far from the origin: volume still exact
    cube_ascii("cube_ascii.stl", off);
    ps_mesh *m = load("cube_ascii.stl", ONE);
    check_unit_cube(m, (ps_vec3){10, -20, 30}, (ps_vec3){11, -19, 31}, 1);
    ps_mesh_free(m);

    // Keywords in any case, split over lines, tabs and CRLF, NaN normals,
    // -0 welded with +0, two solids in one file.
    write_text("messy.stl",
               "  SOLID first one\r\n"
               "Facet Normal nan nan nan\tOUTER\r\nloop\n"
               "vertex -0 0 0\r\n vertex 1 0 0 vertex\n 0 1 0 endloop endfacet\n"
               "endsolid first one\n"
               "solid\n"
               "facet normal 0 0 1 outer loop\n"
               "vertex 1 0 0\nvertex 1 1 0\nvertex 0 1 0\nendloop\nendfacet\n"
               "endsolid");
    m = load("messy.stl", ONE);
    if (CHECK(m != NULL)) {
        CHECK(mesh_sane(m));
        CHECK_EQ(m->tri_count, 2);
        CHECK_EQ(m->vertex_count, 4);
        CHECK_NEAR(m->vertices[0], 0, 0);
        CHECK(!signbit(m->vertices[0]));
    } else {
        NOTE("%s", err);
    }
    ps_mesh_free(m);
}

static void test_scale(void)
{
    stlbuf s = cube_binary("");
    write_bytes("cube_scale.stl", s.data, s.len);
    free(s.data);
    ps_mesh *m = load("cube_scale.stl", (ps_vec3){2, 3, 0.5});
    check_unit_cube(m, (ps_vec3){0, 0, 0}, (ps_vec3){2, 3, 0.5}, 3);
    ps_mesh_free(m);

    // A mirroring scale keeps the outside outside (winding reversed).
    m = load("cube_scale.stl", (ps_vec3){-1, 1, 1});
    check_unit_cube(m, (ps_vec3){-1, 0, 0}, (ps_vec3){0, 1, 1}, 1);
    ps_mesh_free(m);
    m = load("cube_scale.stl", (ps_vec3){-1, -1, 1}); // two mirrors = a rotation
    check_unit_cube(m, (ps_vec3){-1, -1, 0}, (ps_vec3){0, 0, 1}, 1);
    ps_mesh_free(m);

    // Millimetre meshes, as URDFs often scale them.
    m = load("cube_scale.stl", (ps_vec3){0.001, 0.001, 0.001});
    if (CHECK(m != NULL)) CHECK_REL(ps_mesh_volume(m), 1e-9, 1e-12);
    ps_mesh_free(m);

    const ps_vec3 bad[] = {{0, 1, 1}, {1, NAN, 1}, {1, 1, INFINITY}};
    for (size_t i = 0; i < 3; i++) {
        CHECK(load("cube_scale.stl", bad[i]) == NULL);
        CHECK_HAS(err, "cube_scale.stl");
        CHECK_HAS(err, "invalid mesh scale");
    }
    // Finite coordinates that overflow once scaled.
    write_text("huge.stl", "solid h\nfacet normal 0 0 1\nouter loop\nvertex 1e300 0 0\n"
                           "vertex 0 1 0\nvertex 0 0 1\nendloop\nendfacet\nendsolid h\n");
    CHECK(load("huge.stl", (ps_vec3){1e10, 1, 1}) == NULL);
    CHECK_HAS(err, "huge.stl: vertex 1 is not finite once scaled");
}

// A cube with each face split into n x n quads: exercises the weld table's
// growth. A closed grid of that kind has 6 n^2 + 2 vertices.
static void test_weld_large(void)
{
    const int n = 40;
    stlbuf s = stl_new("grid", (uint32_t)(6 * n * n * 2));
    uint32_t t = 0;
    for (int axis = 0; axis < 3; axis++) {
        for (int side = 0; side < 2; side++) {
            int u = (axis + 1) % 3, v = (axis + 2) % 3;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double q[4][3];
                    const int di[4] = {0, 1, 1, 0}, dj[4] = {0, 0, 1, 1};
                    for (int k = 0; k < 4; k++) {
                        q[k][axis] = side;
                        q[k][u] = (double)(i + di[k]) / n;
                        q[k][v] = (double)(j + dj[k]) / n;
                    }
                    // (u, v) counter-clockwise seen from +axis; reversed on side 0.
                    if (side) {
                        stl_set_tri(&s, t++, q[0], q[1], q[2]);
                        stl_set_tri(&s, t++, q[0], q[2], q[3]);
                    } else {
                        stl_set_tri(&s, t++, q[0], q[2], q[1]);
                        stl_set_tri(&s, t++, q[0], q[3], q[2]);
                    }
                }
            }
        }
    }
    write_bytes("grid.stl", s.data, s.len);
    free(s.data);
    ps_mesh *m = load("grid.stl", ONE);
    if (!CHECK(m != NULL)) {
        NOTE("%s", err);
        return;
    }
    CHECK(mesh_sane(m));
    CHECK_EQ(m->tri_count, 6 * n * n * 2);
    CHECK_EQ(m->vertex_count, 6 * n * n + 2);
    CHECK_NEAR(ps_mesh_volume(m), 1, 1e-9);
    // Each undirected edge of a closed, welded mesh is shared by two triangles:
    // E = 3T / 2, and Euler: V - E + F = 2.
    CHECK_EQ(m->vertex_count - 3 * m->tri_count / 2 + m->tri_count, 2);
    ps_mesh_free(m);
}

static void test_obj(void)
{
    // The unit cube as quads, with every kind of line the reader skips, all
    // face vertex forms, negative indices and CRLF line ends.
    write_text("cube.obj",
               "# a cube\r\n"
               "mtllib cube.mtl\r\n"
               "o Cube\r\n"
               "v 0 0 0\r\nv 1 0 0\r\nv 0 1 0\r\nv 1 1 0\r\n"
               "v 0 0 1\r\nv 1 0 1 1.0\r\nv 0 1 1 0.5 0.5 0.5\r\nv 1 1 1   # comment\r\n"
               "vt 0 0\r\nvt 1 0\r\nvt 1 1\r\nvn 0 0 1\r\nvp 0.5\r\n"
               "g faces\r\nusemtl red\r\ns off\r\n"
               "\r\n"
               "f 1 3 4 2\r\n"            // z = 0
               "f 5/1 6/2 8/3 7/1\r\n"    // z = 1
               "f 1//1 2//1 6//1 5//1\r\n" // y = 0
               "f 3/1/1 7/2/1 8/3/1 4/1/1\r\n" // y = 1
               "f -8 -4 -2 -6\r\n"        // x = 0: 1 5 7 3
               "f\t2 4 8 6\r\n");         // x = 1
    ps_mesh *m = load("cube.obj", ONE);
    check_unit_cube(m, (ps_vec3){0, 0, 0}, (ps_vec3){1, 1, 1}, 1);
    ps_mesh_free(m);

    // A pentagon is fanned into 3 triangles; faces may come before the
    // vertices they name by positive index; no final newline.
    write_text("penta.obj", "o p\nf 1 2 3 4 5\nv 0 0 0\nv 1 0 0\nv 1.5 1 0\nv 0.5 2 0\n"
                            "v -0.5 1 0");
    m = load("penta.obj", (ps_vec3){2, 2, 2});
    if (CHECK(m != NULL)) {
        CHECK(mesh_sane(m));
        CHECK_EQ(m->tri_count, 3);
        CHECK_EQ(m->vertex_count, 5);
        CHECK_EQ(m->indices[0], 0);
        CHECK_EQ(m->indices[7], 3);
        CHECK_EQ(m->indices[8], 4);
        ps_vec3 lo, hi;
        CHECK_EQ(ps_mesh_bounds(m, &lo, &hi), PS_OK);
        CHECK_NEAR(lo.x, -1, 0);
        CHECK_NEAR(hi.y, 4, 0);
        CHECK_NEAR(ps_mesh_volume(m), 0, 1e-15); // flat
    } else {
        NOTE("%s", err);
    }
    ps_mesh_free(m);

    // Zero-area triangles only: accepted.
    write_text("degenerate.obj", "v 1 2 3\nf 1 1 1\n");
    m = load("degenerate.obj", ONE);
    if (CHECK(m != NULL)) {
        CHECK_EQ(m->vertex_count, 1);
        CHECK_EQ(m->tri_count, 1);
        CHECK_NEAR(ps_mesh_volume(m), 0, 0);
    }
    ps_mesh_free(m);
}

static void test_formats(void)
{
    CHECK(ps_mesh_is_collision_format("a/b/c.stl"));
    CHECK(ps_mesh_is_collision_format("C.OBJ"));
    CHECK(ps_mesh_is_collision_format("x.Stl"));
    CHECK(!ps_mesh_is_collision_format("x.dae"));
    CHECK(!ps_mesh_is_collision_format("stl"));
    CHECK(!ps_mesh_is_collision_format("dir.stl/file"));
    CHECK(!ps_mesh_is_collision_format(NULL));

    CHECK(ps_mesh_load(ROBOTS "/ur_description/meshes/ur5/visual/base.dae", ONE, err,
                       sizeof err) == NULL);
    CHECK_HAS(err, "base.dae");
    CHECK_HAS(err, "only supported for visuals");
    CHECK(load("model.GLB", ONE) == NULL);
    CHECK_HAS(err, "model.GLB: .GLB meshes are only supported for visuals");
    CHECK(load("notes.txt", ONE) == NULL);
    CHECK_HAS(err, "notes.txt: unsupported mesh format '.txt'");
    CHECK(load("meshes.d/noext", ONE) == NULL);
    CHECK_HAS(err, "meshes.d/noext: unknown mesh format (no file extension)");
    CHECK(load(NULL, ONE) == NULL);
    CHECK_HAS(err, "no file name");
    CHECK(load("", ONE) == NULL);
    CHECK_HAS(err, "no file name");

    // The error buffer is optional and bounded.
    CHECK(ps_mesh_load("missing.stl", ONE, NULL, 0) == NULL);
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK(ps_mesh_load("missing.stl", ONE, small, sizeof small) == NULL);
    CHECK_EQ(strlen(small), 7);
    CHECK(ps_mesh_bounds(NULL, NULL, NULL) == PS_ERR_INVALID);
    CHECK_NEAR(ps_mesh_volume(NULL), 0, 0);
    ps_mesh_free(NULL);
}

static void test_robot_meshes(void)
{
    static const char *const files[] = {
        "go2_description/collisions/base_convex.stl",
        "go2_description/collisions/hip_convex.stl",
        "go2_description/collisions/thigh_convex.stl",
        "go2_description/collisions/thigh_mirror_convex.stl",
        "go2_description/collisions/calf_upper_convex.stl",
        "go2_description/collisions/calf_upper_mirror_convex.stl",
        "go2_description/collisions/calf_lower_convex.stl",
        "go2_description/collisions/calf_lower_mirror_convex.stl",
        "go2_description/collisions/foot_convex.stl",
        "ur_description/meshes/ur5/collision/base.stl",
        "ur_description/meshes/ur5/collision/shoulder.stl",
        "ur_description/meshes/ur5/collision/upperarm.stl",
        "ur_description/meshes/ur5/collision/forearm.stl",
        "ur_description/meshes/ur5/collision/wrist1.stl",
        "ur_description/meshes/ur5/collision/wrist2.stl",
        "ur_description/meshes/ur5/collision/wrist3.stl",
        "solo_description/meshes/stl/solo12/solo_12_base.stl", // binary despite "solid"
        "solo_description/meshes/stl/solo12/solo12_hip_fe_fl.stl",
        "solo_description/meshes/stl/solo12/solo12_hip_fe_fr.stl",
        "solo_description/meshes/stl/solo12/solo12_hip_fe_hl.stl",
        "solo_description/meshes/stl/solo12/solo12_hip_fe_hr.stl",
        "solo_description/meshes/stl/with_foot/solo_foot.stl",
        "double_pendulum_description/meshes/base_link.stl",
        "double_pendulum_description/meshes/link1.stl",
        "double_pendulum_description/meshes/link2.stl",
        "simple_humanoid_description/meshes/box.stl", // ASCII
    };
    FILE *probe = fopen(ROBOTS "/go2_description/collisions/base_convex.stl", "rb");
    if (!probe) {
        NOTE("example-robot-data not found under %s: skipping", ROBOTS);
        CHECK(false);
        return;
    }
    fclose(probe);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", ROBOTS, files[i]);
        ps_mesh *m = load(path, ONE);
        if (!CHECK(m != NULL)) {
            NOTE("%s", err);
            continue;
        }
        CHECK(mesh_sane(m));
        CHECK(m->tri_count > 0 && m->vertex_count > 0);
        CHECK(m->vertex_count < 3 * m->tri_count); // welded: corners are shared
        ps_vec3 lo, hi;
        CHECK_EQ(ps_mesh_bounds(m, &lo, &hi), PS_OK);
        bool plausible = lo.x >= -1 && lo.y >= -1 && lo.z >= -1 && hi.x <= 1 && hi.y <= 1 &&
                         hi.z <= 1 && hi.x > lo.x && hi.y > lo.y && hi.z > lo.z;
        if (!CHECK(plausible))
            NOTE("%s: bounds (%g %g %g)..(%g %g %g)", files[i], lo.x, lo.y, lo.z, hi.x, hi.y,
                 hi.z);
        double vol = ps_mesh_volume(m);
        double box = (hi.x - lo.x) * (hi.y - lo.y) * (hi.z - lo.z);
        if (strstr(files[i], "go2_description")) { // closed convex hulls
            if (!CHECK(vol > 0 && vol <= box * (1 + 1e-9)))
                NOTE("%s: volume %g, bounding box %g", files[i], vol, box);
        }
        ps_mesh_free(m);
    }

    ps_mesh *box = load(ROBOTS "/simple_humanoid_description/meshes/box.stl", ONE);
    check_unit_cube(box, (ps_vec3){-0.5, -0.5, -0.5}, (ps_vec3){0.5, 0.5, 0.5}, 1);
    ps_mesh_free(box);
}

// ---------------------------------------------------------------------------
// Malformed files: NULL, and a message naming the file and the problem.

static void expect_fail(const char *path, const char *detail)
{
    ps_mesh *m = load(path, ONE);
    if (!CHECK(m == NULL)) NOTE("%s loaded", path);
    ps_mesh_free(m);
    CHECK_HAS(err, path);
    CHECK_HAS(err, detail);
}

static void test_malformed_stl(void)
{
    stlbuf s = cube_binary("binary");
    write_bytes("trunc.stl", s.data, s.len - 10);
    expect_fail("trunc.stl", "trunc.stl: truncated binary STL: the header declares 12 triangles "
                             "(684 bytes) but the file has 674 bytes");
    // A truncated binary file whose header says "solid" (and has NUL bytes).
    memcpy(s.data, "solid x ", 8);
    write_bytes("trunc_solid.stl", s.data, s.len - 50);
    expect_fail("trunc_solid.stl", "truncated binary STL");
    memcpy(s.data, "binary  ", 8);

    unsigned char *big = calloc(1, s.len + 7);
    memcpy(big, s.data, s.len);
    write_bytes("extra.stl", big, s.len + 7);
    expect_fail("extra.stl", "triangle count 12 does not match the file size: expected 684 "
                             "bytes, found 691");
    free(big);

    put_u32(s.data + 80, 0xffffffffu); // absurd count: no allocation from it
    write_bytes("count.stl", s.data, s.len);
    expect_fail("count.stl", "declares 4294967295 triangles");
    put_u32(s.data + 80, 12);

    write_bytes("small.stl", s.data, 40);
    expect_fail("small.stl", "too small for a binary STL");

    stlbuf z = stl_new("nothing", 0);
    write_bytes("zero.stl", z.data, z.len);
    expect_fail("zero.stl", "empty mesh");
    free(z.data);

    put_f32(s.data + 84 + 50 * 3 + 12 + 4, NAN);
    write_bytes("nan.stl", s.data, s.len);
    expect_fail("nan.stl", "nan.stl: triangle 4 of 12 has a non-finite coordinate");
    put_f32(s.data + 84 + 50 * 3 + 12 + 4, INFINITY);
    write_bytes("inf.stl", s.data, s.len);
    expect_fail("inf.stl", "triangle 4 of 12 has a non-finite coordinate");
    free(s.data);

    write_text("empty.stl", "");
    expect_fail("empty.stl", "empty.stl: empty file");
    expect_fail("does_not_exist.stl", "does_not_exist.stl: cannot open");

    // ASCII.
    write_text("a_token.stl", "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"
                              "vertex 1 abc 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid t\n");
    expect_fail("a_token.stl", "a_token.stl:5: non-numeric token 'abc'");
    write_text("a_nan.stl", "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"
                            "vertex 1 0 0\nvertex 0 NaN 0\nendloop\nendfacet\nendsolid t\n");
    expect_fail("a_nan.stl", "a_nan.stl:6: non-finite vertex coordinate 'NaN'");
    write_text("a_inf.stl", "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"
                            "vertex 1e999 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid t\n");
    expect_fail("a_inf.stl", "a_inf.stl:5: non-finite vertex coordinate '1e999'");
    write_text("a_trunc.stl", "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"
                              "vertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\n");
    expect_fail("a_trunc.stl", "a_trunc.stl:9: unexpected end of file: missing 'endsolid'");
    write_text("a_cut.stl", "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"
                            "vertex 1 0");
    expect_fail("a_cut.stl", "a_cut.stl:5: expected a vertex number, found the end of the file");
    write_text("a_four.stl", "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"
                             "vertex 1 0 0\nvertex 0 1 0\nvertex 1 1 0\nendloop\nendfacet\n"
                             "endsolid t\n");
    expect_fail("a_four.stl", "a_four.stl:7: expected 'endloop', found 'vertex'");
    write_text("a_kw.stl", "solid t\n\n  facets normal 0 0 1\n");
    expect_fail("a_kw.stl", "a_kw.stl:3: expected 'facet' or 'endsolid', found 'facets'");
    write_text("a_empty.stl", "solid nothing\nendsolid nothing\n");
    expect_fail("a_empty.stl", "a_empty.stl: empty mesh");
    write_text("a_short.stl", "solid");
    expect_fail("a_short.stl", "a_short.stl:1: unexpected end of file");
    write_text("a_junk.stl", "hello world\n");
    expect_fail("a_junk.stl", "not an STL file");
    write_text("a_comma.stl", "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0,5 0 0\n");
    expect_fail("a_comma.stl", "a_comma.stl:4: non-numeric token '0,5'");
    write_text("a_long.stl", "solid t\nfacet normal 0 0 1\nouter loop\nvertex "
                             "0.000000000000000000000000000000000000000000000000000000000000000"
                             "000000000000000000000000000000000000000000000000000000000000000001"
                             " 0 0\n");
    expect_fail("a_long.stl", "a_long.stl:4: non-numeric token '0.0000000000000000000000...'");
}

static void test_malformed_obj(void)
{
    write_text("bad_index.obj", "# cube corners\n"
                                "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\n"
                                "v 0 0 1\nv 1 0 1\nv 0 1 1\nv 1 1 1\n"
                                "f 1 2 9\n");
    expect_fail("bad_index.obj", "bad_index.obj:10: face index 9 out of range 1..8");
    write_text("zero_index.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n");
    expect_fail("zero_index.obj", "zero_index.obj:4: face index 0 is invalid");
    write_text("neg_index.obj", "v 0 0 0\nv 1 0 0\nf -1 -2 -3\nv 0 1 0\n");
    expect_fail("neg_index.obj",
                "neg_index.obj:3: face index -3 out of range -2..-1 (relative to the 2 vertices");
    write_text("neg_first.obj", "f -1 -2 -3\nv 0 0 0\n");
    expect_fail("neg_first.obj", "neg_first.obj:1: face index -1 out of range");
    write_text("huge_index.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 99999999999999999999999\n");
    expect_fail("huge_index.obj",
                "huge_index.obj:4: face index 99999999999999999999999 out of range 1..3");
    write_text("no_verts.obj", "f 1 2 3\n");
    expect_fail("no_verts.obj",
                "no_verts.obj:1: face index 1 out of range: the file has no vertices");
    write_text("v_token.obj", "v 0 0 0\nv 1 zero 0\nv 0 1 0\nf 1 2 3\n");
    expect_fail("v_token.obj", "v_token.obj:2: non-numeric token 'zero' in a vertex");
    write_text("v_nan.obj", "v 0 0 0\nv 1 0 0\n\n\nv nan 1 0\nf 1 2 3\n");
    expect_fail("v_nan.obj", "v_nan.obj:5: non-finite vertex coordinate 'nan'");
    write_text("v_inf.obj", "v -inf 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
    expect_fail("v_inf.obj", "v_inf.obj:1: non-finite vertex coordinate '-inf'");
    write_text("v_short.obj", "v 0 0 0\nv 1 0\nv 0 1 0\nf 1 2 3\n");
    expect_fail("v_short.obj", "v_short.obj:2: vertex has 2 values");
    write_text("f_token.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 three\n");
    expect_fail("f_token.obj", "f_token.obj:4: non-numeric token 'three' in a face");
    write_text("f_slash.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1/1 2/x 3/1\n");
    expect_fail("f_slash.obj", "f_slash.obj:4: non-numeric token '2/x' in a face");
    write_text("f_slashes.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1/1/1/1 2 3\n");
    expect_fail("f_slashes.obj", "f_slashes.obj:4: non-numeric token '1/1/1/1'");
    write_text("f_empty_idx.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf /1 2 3\n");
    expect_fail("f_empty_idx.obj", "f_empty_idx.obj:4: non-numeric token '/1'");
    write_text("f_two.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n# a line\nf 1 2\n");
    expect_fail("f_two.obj", "f_two.obj:5: face has 2 vertices, need at least 3");
    write_text("no_faces.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nl 1 2\n");
    expect_fail("no_faces.obj", "no_faces.obj: empty mesh: no faces");
    write_text("comments.obj", "# only a comment\n\n");
    expect_fail("comments.obj", "comments.obj: empty mesh");
    static const char nul[] = "v 0 0 0\nv 1 0\0 0\nv 0 1 0\nf 1 2 3\n";
    write_bytes("nul.obj", nul, sizeof nul - 1);
    expect_fail("nul.obj", "nul.obj:2: non-numeric token '0?'");
}

// A file above the size limit is refused before it is read (a sparse file:
// it takes no disk space).
static void test_too_large(void)
{
    FILE *f = fopen("big.stl", "wb");
    if (!f) exit(2);
    bool ok = fseek(f, (long)PS_MESH_MAX_FILE_BYTES + 100, SEEK_SET) == 0 && fputc('x', f) != EOF;
    ok = (fclose(f) == 0) && ok;
    if (!CHECK(ok)) {
        remove("big.stl");
        return;
    }
    expect_fail("big.stl", "more than the 512 MiB mesh limit");
    remove("big.stl");
}

// Random damage to valid files: every load either fails with a message or
// gives a sane mesh (ASan/UBSan watch the rest).
static uint64_t rng_state = 0x243f6a8885a308d3u;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(rng_state >> 33);
}

static void fuzz_file(const char *src, const char *dst, int rounds)
{
    FILE *f = fopen(src, "rb");
    if (!f) exit(2);
    unsigned char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int loaded = 0, failed = 0, bad = 0;
    for (int r = 0; r < rounds; r++) {
        unsigned char m[8192];
        memcpy(m, buf, n);
        size_t len = n;
        int edits = 1 + (int)(rnd() % 4);
        for (int e = 0; e < edits; e++) {
            switch (rnd() % 4) {
            case 0: m[rnd() % len] = (unsigned char)rnd(); break;
            case 1: m[rnd() % len] = "0123456789-+.eE /\n#nafvsolidNAN"[rnd() % 31]; break;
            case 2: len = 1 + rnd() % len; break; // truncate
            default: { // duplicate a byte range onto another position
                size_t a = rnd() % len, b = rnd() % len, k = rnd() % 16;
                if (a + k > len) k = len - a;
                if (b + k > len) k = len - b;
                memmove(m + b, m + a, k);
            }
            }
        }
        write_bytes(dst, m, len);
        err[0] = '\0';
        ps_mesh *mesh = ps_mesh_load(dst, ONE, err, sizeof err);
        if (mesh) {
            loaded++;
            if (!mesh_sane(mesh)) bad++;
            ps_vec3 lo, hi;
            if (ps_mesh_bounds(mesh, &lo, &hi) != PS_OK) bad++;
            (void)ps_mesh_volume(mesh);
        } else {
            failed++;
            if (!strstr(err, dst)) {
                bad++;
                NOTE("no file name in '%s'", err);
            }
        }
        ps_mesh_free(mesh);
    }
    CHECK_EQ(bad, 0);
    CHECK(failed > 0);
    NOTE("fuzz %s: %d loaded, %d refused", src, loaded, failed);
}

static void test_fuzz(void)
{
    stlbuf s = cube_binary("solid but binary");
    write_bytes("fz_src_bin.stl", s.data, s.len);
    free(s.data);
    double off[3] = {0, 0, 0};
    cube_ascii("fz_src_ascii.stl", off);
    write_text("fz_src.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nv 0 0 1\nv 1 0 1\nv 0 1 1\n"
                             "v 1 1 1\nvt 0 0\nvn 0 0 1\nf 1 3 4 2\nf 5/1 6/1 8/1 7/1\n"
                             "f 1//1 2//1 6//1 5//1\nf 3 7 8 4\nf -8 -4 -2 -6\nf 2 4 8 6\n");
    fuzz_file("fz_src_bin.stl", "fz.stl", 1500);
    fuzz_file("fz_src_ascii.stl", "fz_a.stl", 1500);
    fuzz_file("fz_src.obj", "fz.obj", 1500);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_binary_stl_cube);
    RUN(test_ascii_stl_cube);
    RUN(test_scale);
    RUN(test_weld_large);
    RUN(test_obj);
    RUN(test_formats);
    RUN(test_robot_meshes);
    RUN(test_malformed_stl);
    RUN(test_malformed_obj);
    RUN(test_too_large);
    RUN(test_fuzz);
    return TEST_DONE();
}
