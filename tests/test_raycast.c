#define _POSIX_C_SOURCE 200809L
// Lidar ray casting through the bounding volume hierarchies (raycast.c)
// against the exhaustive reference (every beam against every geom with ODE's
// ray collider), bit for bit: distances and hit ids.
// - random worlds with every geom type (box, sphere, capsule, cylinder, plane,
//   heightfield, trimesh), static geoms and static bodies, dynamic and
//   kinematic bodies that move, teleports, geoms added and removed mid-run, 2D
//   and 3D lidars and proximity sensors, on moving and on static mounts;
// - every pilot scene (scenes/pilot/*.lua) as it runs, every lidar in it.
#include "harness.h"
#include "pilotsim/pilotsim.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif

static uint64_t rng_state;
static double urand(void) // xorshift64*, uniform [0, 1)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}
static double urange(double a, double b) { return a + (b - a) * urand(); }

static ps_quat random_quat(void)
{
    ps_quat q = {urange(-1, 1), urange(-1, 1), urange(-1, 1), urange(-1, 1)};
    double n = sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
    if (n < 1e-3) return (ps_quat){1, 0, 0, 0};
    return (ps_quat){q.w / n, q.x / n, q.y / n, q.z / n};
}

// A closed hexahedron (a box taller above than below) as a trimesh, outward winding.
static const int CUBE_TRIS[] = {0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4,
                                1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6, 3, 0, 4, 3, 4, 7};
static void cube_verts(double *v, double h)
{
    for (int i = 0; i < 8; i++) {
        v[3 * i] = ((i & 1) ^ ((i >> 1) & 1)) ? h : -h;
        v[3 * i + 1] = (i & 2) ? h : -h;
        v[3 * i + 2] = (i & 4) ? 1.3 * h : -h;
    }
}

static ps_geom_def random_shape(bool on_body, double *verts)
{
    (void)on_body;
    int t = (int)(urand() * 5);
    ps_geom_def g;
    switch (t) {
    case 0:
        g = ps_default_geom_def(PS_GEOM_BOX);
        g.size = (ps_vec3){urange(0.1, 1.2), urange(0.1, 1.2), urange(0.1, 1.2)};
        break;
    case 1:
        g = ps_default_geom_def(PS_GEOM_SPHERE);
        g.radius = urange(0.05, 0.6);
        break;
    case 2:
        g = ps_default_geom_def(PS_GEOM_CAPSULE);
        g.radius = urange(0.05, 0.4);
        g.length = urange(0.1, 1.0);
        break;
    case 3:
        g = ps_default_geom_def(PS_GEOM_CYLINDER);
        g.radius = urange(0.05, 0.5);
        g.length = urange(0.1, 1.2);
        break;
    default:
        g = ps_default_geom_def(PS_GEOM_TRIMESH);
        cube_verts(verts, urange(0.1, 0.5));
        g.vertices = verts;
        g.indices = CUBE_TRIS;
        g.vertex_count = 8;
        g.tri_count = 12;
        break;
    }
    return g;
}

static ps_pose random_pose(double half, double zlo, double zhi)
{
    return (ps_pose){{urange(-half, half), urange(-half, half), urange(zlo, zhi)}, random_quat()};
}

// Every beam of every lidar/proximity sensor: accelerated == exhaustive.
static long compare_all(ps_world *w, const char *where)
{
    long beams = 0;
    for (size_t k = 0; k < ps_world_sensor_count(w); k++) {
        ps_sensor_id s = ps_world_sensor_at(w, k);
        ps_sensor_type ty = ps_sensor_get_type(w, s);
        if (ty != PS_SENSOR_LIDAR && ty != PS_SENSOR_PROXIMITY) continue;
        size_t n = 0;
        ps_sensor_data(w, s, &n);
        float *da = malloc(n * sizeof *da), *db = malloc(n * sizeof *db);
        int32_t *ha = malloc(n * sizeof *ha), *hb = malloc(n * sizeof *hb);
        CHECK(da && db && ha && hb);
        if (!da || !db || !ha || !hb) goto done;
        CHECK_EQ(ps_sensor_cast(w, s, false, da, ha), PS_OK);
        CHECK_EQ(ps_sensor_cast(w, s, true, db, hb), PS_OK);
        int bad = 0;
        for (size_t i = 0; i < n; i++)
            if (memcmp(&da[i], &db[i], sizeof da[i]) != 0 || ha[i] != hb[i]) {
                if (bad++ < 3)
                    NOTE("%s: sensor %s beam %zu: tree %.9g (hit %d), exhaustive %.9g (hit %d)", where,
                         ps_sensor_name(w, s), i, (double)da[i], ha[i], (double)db[i], hb[i]);
            }
        CHECK_EQ(bad, 0);
        beams += (long)n;
    done:
        free(da);
        free(db);
        free(ha);
        free(hb);
    }
    return beams;
}

static ps_sensor_id add_lidar(ps_world *w, ps_body_id body, const char *name, int kind)
{
    ps_sensor_def d = ps_default_sensor_def(kind == 2 ? PS_SENSOR_PROXIMITY : PS_SENSOR_LIDAR);
    d.name = name;
    d.body = body;
    d.pose.p = (ps_vec3){0, 0, 0.3};
    d.range_min = 0.05;
    d.range_max = urange(3, 9);
    if (kind == 0) d.h_beams = 180, d.h_fov = 2 * 3.14159265358979;
    if (kind == 1) d.h_beams = 60, d.h_fov = 2.5, d.v_beams = 12, d.v_min = -0.6, d.v_max = 0.5;
    ps_sensor_id s = ps_sensor_create(w, &d);
    CHECK(ps_sensor_valid(w, s));
    return s;
}

static void random_world(uint64_t seed)
{
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    ps_world_def wd = ps_default_world_def();
    wd.seed = seed;
    char e[512];
    ps_world *w = ps_world_create(&wd, e, sizeof e);
    CHECK(w != NULL);
    if (!w) return;
    double verts[64 * 3];
    ps_geom_def pl = ps_default_geom_def(PS_GEOM_PLANE);
    pl.plane[0] = 0.02, pl.plane[1] = -0.01, pl.plane[2] = 1, pl.plane[3] = 0;
    ps_geom_create(w, PS_BODY_NONE, &pl);
    // a heightfield hill
    double h[9 * 9];
    for (int i = 0; i < 81; i++) h[i] = 0.4 * urand();
    ps_geom_def hf = ps_default_geom_def(PS_GEOM_HEIGHTFIELD);
    hf.heights = h, hf.rows = 9, hf.cols = 9, hf.size = (ps_vec3){4, 4, 0};
    hf.pose.p = (ps_vec3){urange(-3, 3), urange(-3, 3), 0};
    CHECK(ps_geom_valid(w, ps_geom_create(w, PS_BODY_NONE, &hf)));
    // static shapes in the world and on two static bodies
    ps_geom_id removable = {0};
    for (int i = 0; i < 60; i++) {
        ps_geom_def g = random_shape(false, verts);
        g.pose = random_pose(8, 0, 2);
        ps_geom_id id = ps_geom_create(w, PS_BODY_NONE, &g);
        CHECK(ps_geom_valid(w, id));
        if (i == 7) removable = id;
    }
    ps_body_id statics[2];
    for (int b = 0; b < 2; b++) {
        ps_body_def bd = ps_default_body_def();
        bd.kind = PS_BODY_STATIC;
        bd.pose = random_pose(5, 0, 1);
        statics[b] = ps_body_create(w, &bd);
        for (int i = 0; i < 3; i++) {
            ps_geom_def g = random_shape(false, verts);
            g.pose = random_pose(0.8, -0.5, 0.5);
            CHECK(ps_geom_valid(w, ps_geom_create(w, statics[b], &g)));
        }
    }
    // moving bodies: 12 dynamic, 3 kinematic, each with one or two shapes
    ps_body_id movers[15];
    for (int b = 0; b < 15; b++) {
        ps_body_def bd = ps_default_body_def();
        bd.kind = b < 12 ? PS_BODY_DYNAMIC : PS_BODY_KINEMATIC;
        bd.pose = random_pose(6, 0.5, 3);
        bd.linvel = (ps_vec3){urange(-2, 2), urange(-2, 2), urange(-1, 1)};
        bd.angvel = (ps_vec3){urange(-2, 2), urange(-2, 2), urange(-2, 2)};
        movers[b] = ps_body_create(w, &bd);
        int ng = 1 + (b % 2);
        for (int i = 0; i < ng; i++) {
            ps_geom_def g = random_shape(true, verts);
            g.pose = random_pose(0.3, -0.3, 0.3);
            CHECK(ps_geom_valid(w, ps_geom_create(w, movers[b], &g)));
        }
    }
    // sensors: on moving bodies (their own geoms skipped), on a static body, 2D, 3D, proximity
    add_lidar(w, movers[0], "l2d", 0);
    add_lidar(w, movers[1], "l3d", 1);
    add_lidar(w, movers[12], "kin2d", 0);
    add_lidar(w, statics[0], "static3d", 1);
    add_lidar(w, movers[2], "prox", 2);
    char where[64];
    long beams = 0;
    for (int step = 0; step <= 120; step++) {
        if (step % 20 == 0) {
            snprintf(where, sizeof where, "seed %llu step %d", (unsigned long long)seed, step);
            beams += compare_all(w, where);
        }
        if (step == 40) { // teleports and new shapes between steps, then compare at once
            ps_body_set_pose(w, movers[3], random_pose(3, 0.5, 1.5));
            ps_body_set_pose(w, statics[1], random_pose(3, 0.2, 1.0));
            ps_geom_destroy(w, removable);
            ps_geom_def g = random_shape(false, verts);
            g.pose = random_pose(4, 0, 1);
            ps_geom_create(w, PS_BODY_NONE, &g);
            g = random_shape(true, verts);
            ps_geom_create(w, movers[4], &g);
            ps_body_destroy(w, movers[5]);
            snprintf(where, sizeof where, "seed %llu after edits", (unsigned long long)seed);
            beams += compare_all(w, where);
        }
        CHECK_EQ(ps_world_step(w), PS_OK);
    }
    CHECK(beams > 5 * 2000);
    ps_world_destroy(w);
}

// The scan table (the static geoms binned by direction from a lidar's origin):
// a lidar under a table (a footprint holding the origin), ringed by long walls
// (footprints spanning up to half the directions, more of them than the table
// holds: the rest are tested by every beam), with pillars of every shape nearer
// and beyond the range, beams up to near vertical, on a static and a kinematic
// mount, and a proximity sensor (no table): accelerated == exhaustive.
static void test_scan_table(void)
{
    rng_state = 4242;
    ps_world_def wd = ps_default_world_def();
    char e[512];
    ps_world *w = ps_world_create(&wd, e, sizeof e);
    CHECK(w != NULL);
    if (!w) return;
    ps_geom_def pl = ps_default_geom_def(PS_GEOM_PLANE);
    ps_geom_create(w, PS_BODY_NONE, &pl);
    ps_geom_def table = ps_default_geom_def(PS_GEOM_BOX);
    table.size = (ps_vec3){1.5, 1.2, 0.05};
    table.pose.p = (ps_vec3){0.1, -0.2, 0.9};
    ps_geom_create(w, PS_BODY_NONE, &table);
    for (int i = 0; i < 64; i++) { // long thin walls round the origin, 2..7 m away
        double a = urange(0, 6.283185307179586), r = urange(2, 7);
        ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
        g.size = (ps_vec3){0.1, urange(6, 20), urange(0.3, 2)};
        g.pose.p = (ps_vec3){r * cos(a), r * sin(a), urange(0, 1)};
        g.pose.q = (ps_quat){cos(a / 2), 0, 0, sin(a / 2)};
        if (i % 4 == 0) g.pose.q = random_quat();
        CHECK(ps_geom_valid(w, ps_geom_create(w, PS_BODY_NONE, &g)));
    }
    double verts[64 * 3];
    for (int i = 0; i < 120; i++) { // pillars: near, far, and beyond the range
        ps_geom_def g = random_shape(false, verts);
        g.pose = random_pose(14, 0, 1.5);
        CHECK(ps_geom_valid(w, ps_geom_create(w, PS_BODY_NONE, &g)));
    }
    ps_body_def bd = ps_default_body_def();
    bd.kind = PS_BODY_STATIC;
    ps_body_id base = ps_body_create(w, &bd);
    bd.kind = PS_BODY_KINEMATIC;
    bd.pose.p = (ps_vec3){1.5, 0.5, 0.2};
    bd.angvel = (ps_vec3){0.3, -0.2, 1.5};
    bd.linvel = (ps_vec3){0.4, 0.1, 0};
    ps_body_id mover = ps_body_create(w, &bd);
    const char *names[] = {"under_table", "moving", "prox"};
    for (int k = 0; k < 3; k++) {
        ps_sensor_def d = ps_default_sensor_def(k == 2 ? PS_SENSOR_PROXIMITY : PS_SENSOR_LIDAR);
        d.name = names[k];
        d.body = k == 1 ? mover : base;
        d.pose.p = (ps_vec3){0, 0, 0.3};
        d.range_max = 10;
        if (k < 2) d.h_beams = 1440, d.h_fov = 2 * 3.14159265358979, d.v_beams = 5, d.v_min = -1.55, d.v_max = 1.569;
        CHECK(ps_sensor_valid(w, ps_sensor_create(w, &d)));
    }
    long beams = 0;
    char where[64];
    for (int step = 0; step <= 300; step++) {
        if (step % 50 == 0) {
            snprintf(where, sizeof where, "scan table step %d", step);
            beams += compare_all(w, where);
        }
        CHECK_EQ(ps_world_step(w), PS_OK);
    }
    CHECK(beams >= 7 * 2 * 1440 * 5);
    ps_world_destroy(w);
}

static void test_random_worlds(void)
{
    for (uint64_t seed = 1; seed <= 4; seed++) random_world(seed);
}

// The sensor's reading, its clock and its noise stream are not touched by ps_sensor_cast.
static void test_cast_leaves_state(void)
{
    rng_state = 99;
    ps_world_def wd = ps_default_world_def();
    char e[512];
    ps_world *a = ps_world_create(&wd, e, sizeof e), *b = ps_world_create(&wd, e, sizeof e);
    ps_world *ws[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
        g.size = (ps_vec3){1, 1, 1};
        g.pose.p = (ps_vec3){2, 0, 0.3};
        ps_geom_create(ws[k], PS_BODY_NONE, &g);
        ps_body_def bd = ps_default_body_def();
        bd.kind = PS_BODY_STATIC;
        ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_LIDAR);
        d.body = ps_body_create(ws[k], &bd);
        d.name = "l";
        d.h_beams = 90;
        d.range_max = 5;
        d.noise.stddev = 0.01;
        d.attenuation = 0.2;
        ps_sensor_create(ws[k], &d);
    }
    float dist[90];
    int32_t hits[90];
    ps_sensor_id s = ps_sensor_find(a, "l");
    CHECK_EQ(ps_sensor_cast(a, s, false, dist, NULL), PS_OK);
    CHECK_NEAR(dist[45], 1.5, 1e-6); // beam 45 = +x: the box face at x = 1.5
    CHECK_EQ(ps_sensor_cast(a, s, true, dist, hits), PS_OK);
    CHECK_EQ(hits[45], -1);
    for (int i = 0; i < 5; i++) {
        ps_world_step(a);
        ps_world_step(b);
    }
    CHECK_EQ(ps_world_state_hash(a), ps_world_state_hash(b));
    size_t n;
    const float *ra = ps_sensor_data(a, s, &n), *rb = ps_sensor_data(b, ps_sensor_find(b, "l"), &n);
    CHECK(memcmp(ra, rb, n * sizeof *ra) == 0);
    CHECK_EQ(ps_sensor_cast(a, (ps_sensor_id){0}, false, dist, NULL), PS_ERR_STALE);
    ps_world_destroy(a);
    ps_world_destroy(b);
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

// Every pilot scene, seed 2: accelerated == exhaustive every 200 steps over 400 steps.
static void test_pilot_scenes(void)
{
    const char *dir = PILOTSIM_SOURCE_DIR "/scenes/pilot";
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    char *names[128];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 128) {
        size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".lua")) names[nn++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)nn, sizeof *names, cmp_str);
    CHECK(nn >= 10);
    static const char *mods[] = {PILOTSIM_SOURCE_DIR "/scripts"};
    int with_lidar = 0;
    for (int i = 0; i < nn; i++) {
        char path[1024], e[4096], where[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ps_scene_options o = ps_default_scene_options();
        o.module_paths = mods;
        o.module_path_count = 1;
        ps_scene *sc = ps_scene_load(path, &o, e, sizeof e);
        CHECK(sc != NULL);
        if (!sc) {
            NOTE("%s", e);
            continue;
        }
        ps_episode *ep = ps_episode_begin(sc, 2);
        long beams = 0;
        for (int step = 0; ep && step <= 400; step++) {
            if (step % 200 == 0) {
                snprintf(where, sizeof where, "%s step %d", names[i], step);
                beams += compare_all(ps_episode_world(ep), where);
            }
            if (ps_episode_step(ep, 100000) != PS_EP_RUNNING) break;
        }
        with_lidar += beams > 0;
        ps_episode_end(ep);
        ps_scene_destroy(sc);
        free(names[i]);
    }
    CHECK(with_lidar >= 3);
}

int main(void)
{
    RUN(test_cast_leaves_state);
    RUN(test_random_worlds);
    RUN(test_scan_table);
    RUN(test_pilot_scenes);
    return TEST_DONE();
}
