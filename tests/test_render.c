#define _POSIX_C_SOURCE 200809L
// Tests of the renderer with a headless EGL context (no X): camera sensors
// (RGB, depth, segmentation) of known scenes, every geom type at its projected
// pixel, picking, visual meshes through assimp, darkness and the camera lamp, the camera
// convention and determinism (rendering never changes the state hash).
#include "harness.h"
#include "test_util.h"
#include "pilotsim/camera_render.h"
#include "pilotsim/sensor.h"
#include "pilotsim/snapshot.h"
#include "pilotsim/robot.h"
#include "pilotsim/urdf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif

enum { W = 160, H = 120 };
static const double FOV = 1.0471975511965976; // 60 degrees

static ps_camera_renderer *cr;

static ps_world *world0(void)
{
    ps_world *w = tu_world_nograv();
    ps_world_set_render_callback(w, ps_camera_render, cr);
    return w;
}

static ps_body_id body_with(ps_world *w, ps_geom_def g, ps_vec3 at)
{
    ps_body_def bd = ps_default_body_def();
    bd.pose.p = at;
    ps_body_id b = ps_body_create(w, &bd);
    CHECK(ps_geom_create(w, b, &g).gen != 0);
    return b;
}

static ps_geom_def colored(ps_geom_type t, float r, float g, float b)
{
    ps_geom_def d = ps_default_geom_def(t);
    d.rgba[0] = r; d.rgba[1] = g; d.rgba[2] = b; d.rgba[3] = 1;
    return d;
}

// A static body to mount cameras on.
static ps_body_id stand(ps_world *w)
{
    ps_body_def bd = ps_default_body_def();
    bd.kind = PS_BODY_STATIC;
    return ps_body_create(w, &bd);
}

static ps_sensor_id camera(ps_world *w, const char *name, ps_camera_kind kind, ps_body_id on, ps_pose pose)
{
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_CAMERA);
    d.name = name;
    d.body = ps_body_is_set(on) ? on : stand(w);
    d.pose = pose;
    d.width = W;
    d.height = H;
    d.fov_y = FOV;
    d.near_clip = 0.05;
    d.far_clip = 50;
    d.camera = kind;
    ps_sensor_id s = ps_sensor_create(w, &d);
    CHECK(s.gen != 0);
    if (!s.gen) NOTE("%s", ps_world_last_error(w));
    return s;
}

static const float *px(const ps_world *w, ps_sensor_id s, int col, int row, int ch)
{
    size_t n;
    const float *d = ps_sensor_data(w, s, &n);
    return d + ((size_t)row * W + (size_t)col) * (size_t)ch;
}

// Pixel of a point given in the camera frame (x forward, y left, z up).
static void project(ps_vec3 p, int *col, int *row)
{
    double f = (H / 2.0) / tan(FOV / 2);
    *col = (int)floor(W / 2.0 - f * p.y / p.x);
    *row = (int)floor(H / 2.0 - f * p.z / p.x);
}

static ps_pose at(double x, double y, double z) { return (ps_pose){{x, y, z}, {1, 0, 0, 0}}; }

// A world with cameras rendered and a grey floor at z = 0.
static ps_world *world_floor(void)
{
    ps_world *w = world0();
    ps_geom_def fl = colored(PS_GEOM_PLANE, 0.5f, 0.5f, 0.5f);
    fl.plane[2] = 1;
    CHECK(ps_geom_create(w, PS_BODY_NONE, &fl).gen != 0);
    return w;
}

static void test_red_box(void)
{
    ps_world *w = world_floor();
    ps_geom_def g = colored(PS_GEOM_BOX, 1, 0, 0);
    g.size = tu_v(0.5, 0.5, 0.5);
    ps_body_id box = body_with(w, g, tu_v(3, 0, 0.5)); // front face at x = 2.75
    ps_sensor_id rgb = camera(w, "rgb", PS_CAMERA_RGB, PS_BODY_NONE, at(0, 0, 0.5));
    ps_sensor_id dep = camera(w, "depth", PS_CAMERA_DEPTH, PS_BODY_NONE, at(0, 0, 0.5));
    ps_sensor_id seg = camera(w, "seg", PS_CAMERA_SEGMENTATION, PS_BODY_NONE, at(0, 0, 0.5));
    int shape[3];
    CHECK_EQ(ps_sensor_shape(w, rgb, shape), 3);
    CHECK(shape[0] == H && shape[1] == W && shape[2] == 3);
    CHECK_EQ(ps_world_step(w), PS_OK);
    if (ps_world_last_error(w)[0]) NOTE("%s", ps_world_last_error(w));
    const float *c = px(w, rgb, W / 2, H / 2, 3);
    NOTE("centre rgb %.3f %.3f %.3f", c[0], c[1], c[2]);
    CHECK(c[0] > 0.45 && c[1] < 0.15 && c[2] < 0.15);
    CHECK_REL(*px(w, dep, W / 2, H / 2, 1), 2.75, 0.01);
    // Planar depth: a pixel off-centre on the same face has the same depth.
    CHECK_REL(*px(w, dep, W / 2 + 5, H / 2 - 5, 1), 2.75, 0.01);
    CHECK_EQ((int)*px(w, seg, W / 2, H / 2, 1), (int)box.index + 1);
    // Bottom row: the floor (static, -1); top row: sky (0, depth = far clip).
    CHECK_EQ((int)*px(w, seg, W / 2, H - 1, 1), -1);
    CHECK_EQ((int)*px(w, seg, W / 2, 0, 1), 0);
    CHECK_NEAR(*px(w, dep, W / 2, 0, 1), 50, 1e-3);
    // The floor's depth at the bottom row: the ray meets z = 0.
    {
        double f = (H / 2.0) / tan(FOV / 2), down = (H / 2.0 - (H - 1 + 0.5)) / f; // z/x slope of the row centre
        CHECK_REL(*px(w, dep, W / 2, H - 1, 1), 0.5 / -down, 0.02);
    }
    // Sky is above, blue-ish; floor grey.
    const float *sky = px(w, rgb, W / 2, 0, 3);
    CHECK(sky[2] > sky[0]);
    ps_world_destroy(w);
}

static void test_every_geom(void)
{
    ps_world *w = world0();
    // A tetrahedron with its apex towards the camera, outward counter-clockwise faces.
    static const double tri_v[] = {0, -0.3, -0.3, 0, 0.3, -0.3, 0, 0, 0.3, -0.3, 0, 0};
    static const int tri_i[] = {0, 1, 2, 0, 3, 1, 0, 2, 3, 1, 3, 2};
    struct { ps_geom_type t; ps_vec3 pos; float rgb[3]; } items[] = {
        {PS_GEOM_SPHERE, {4, 1.5, 0}, {0, 1, 0}},
        {PS_GEOM_CAPSULE, {4, 0.5, 0}, {0, 0, 1}},
        {PS_GEOM_CYLINDER, {4, -0.5, 0}, {1, 1, 0}},
        {PS_GEOM_TRIMESH, {4, -1.5, 0}, {1, 0, 1}},
        {PS_GEOM_BOX, {4, 0, 1}, {0, 1, 1}},
    };
    ps_body_id ids[5];
    for (int i = 0; i < 5; i++) {
        ps_geom_def g = colored(items[i].t, items[i].rgb[0], items[i].rgb[1], items[i].rgb[2]);
        g.radius = 0.25;
        g.length = 0.3;
        g.size = tu_v(0.3, 0.3, 0.3);
        if (items[i].t == PS_GEOM_TRIMESH) {
            g.vertices = tri_v; g.vertex_count = 4; g.indices = tri_i; g.tri_count = 4;
        }
        ids[i] = body_with(w, g, items[i].pos);
    }
    // A heightfield 4 m ahead and 1 m below: a 3 x 3 grid, a bump in the middle.
    static const double h[9] = {0, 0, 0, 0, 0.3, 0, 0, 0, 0};
    ps_geom_def hf = colored(PS_GEOM_HEIGHTFIELD, 1, 0.5, 0);
    hf.heights = h; hf.rows = 3; hf.cols = 3; hf.size = tu_v(2, 2, 0);
    hf.pose.p = tu_v(4, 0, -1.2);
    CHECK(ps_geom_create(w, PS_BODY_NONE, &hf).gen != 0);
    ps_sensor_id rgb = camera(w, "rgb", PS_CAMERA_RGB, PS_BODY_NONE, at(0, 0, 0));
    ps_sensor_id seg = camera(w, "seg", PS_CAMERA_SEGMENTATION, PS_BODY_NONE, at(0, 0, 0));
    CHECK_EQ(ps_world_step(w), PS_OK);
    for (int i = 0; i < 5; i++) {
        int col, row;
        ps_vec3 p = items[i].pos;
        project(p, &col, &row);
        const float *c = px(w, rgb, col, row, 3);
        int s = (int)*px(w, seg, col, row, 1);
        CHECK_EQ(s, (int)ids[i].index + 1);
        // The lit colour keeps the hue: each channel on/off as given.
        for (int k = 0; k < 3; k++)
            if (items[i].rgb[k] > 0.5f ? c[k] < 0.3f : c[k] > 0.2f) {
                NOTE("geom %d pixel (%d, %d) rgb %.2f %.2f %.2f", i, col, row, c[0], c[1], c[2]);
                CHECK(!"colour mismatch");
                break;
            }
    }
    int col, row;
    project(tu_v(4, 0, -1.0), &col, &row); // the bump's slope facing the camera (peak z = -0.9)
    const float *c = px(w, rgb, col, row, 3);
    CHECK((int)*px(w, seg, col, row, 1) < 0); // static geometry: a negative id of its own
    CHECK(c[0] > 0.3 && c[2] < 0.15);
    ps_world_destroy(w);
}

static void test_camera_convention_and_darkness(void)
{
    ps_world *w = world0();
    ps_geom_def g = colored(PS_GEOM_BOX, 1, 1, 1);
    g.size = tu_v(0.5, 0.5, 0.5);
    ps_body_id box = body_with(w, g, tu_v(0, 3, 0));  // to the left (+y)
    // A mount turned 90 degrees about z looks along world +y.
    ps_pose yaw = {{0, 0, 0}, {0.7071067811865476, 0, 0, 0.7071067811865476}};
    ps_sensor_id seg = camera(w, "seg", PS_CAMERA_SEGMENTATION, PS_BODY_NONE, yaw);
    ps_sensor_id dep = camera(w, "dep", PS_CAMERA_DEPTH, PS_BODY_NONE, yaw);
    ps_sensor_id rgb = camera(w, "rgb", PS_CAMERA_RGB, PS_BODY_NONE, yaw);
    ps_sensor_def dd = ps_default_sensor_def(PS_SENSOR_CAMERA);
    dd.name = "dark";
    dd.body = stand(w);
    dd.pose = yaw;
    dd.width = W; dd.height = H; dd.fov_y = FOV; dd.near_clip = 0.05; dd.far_clip = 50;
    dd.darkness = 0.5;
    ps_sensor_id dark = ps_sensor_create(w, &dd);
    CHECK(dark.gen != 0);
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK_EQ((int)*px(w, seg, W / 2, H / 2, 1), (int)box.index + 1);
    CHECK_REL(*px(w, dep, W / 2, H / 2, 1), 2.75, 0.01);
    // Image rows: top row first. A box above the axis shows in the upper half.
    float bright = px(w, rgb, W / 2, H / 2, 3)[0], dim = px(w, dark, W / 2, H / 2, 3)[0];
    CHECK(bright > 0.3);
    CHECK_NEAR(dim, bright * 0.5, 0.02);
    // Pitch dark: black, unless the camera's own lamp lights the white face 2.75 m
    // ahead head-on: lamp / d^2, not dimmed.
    dd.darkness = 1;
    dd.name = "night";
    ps_sensor_id night = ps_sensor_create(w, &dd);
    dd.name = "lamp";
    dd.lamp = 2;
    ps_sensor_id lamp = ps_sensor_create(w, &dd);
    CHECK(night.gen != 0 && lamp.gen != 0);
    dd.name = "bad_lamp";
    dd.lamp = -1;
    CHECK(ps_sensor_create(w, &dd).gen == 0);
    CHECK(strstr(ps_world_last_error(w), "lamp") != NULL);
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK_NEAR(px(w, night, W / 2, H / 2, 3)[0], 0, 1e-6);
    CHECK_NEAR(px(w, lamp, W / 2, H / 2, 3)[1], 2 / (2.75 * 2.75), 0.01);
    ps_world_destroy(w);

    w = world0();
    ps_body_id up = body_with(w, g, tu_v(3, 0, 0.8));
    seg = camera(w, "seg", PS_CAMERA_SEGMENTATION, PS_BODY_NONE, at(0, 0, 0));
    CHECK_EQ(ps_world_step(w), PS_OK);
    int col, row;
    project(tu_v(2.75, 0, 0.8), &col, &row);
    CHECK(row < H / 2);
    CHECK_EQ((int)*px(w, seg, col, row, 1), (int)up.index + 1);
    CHECK_EQ((int)*px(w, seg, col, H - 1 - row, 1), 0);
    ps_world_destroy(w);
}

static void test_pick_and_meshes(void)
{
    ps_world *w = world0();
    ps_geom_def g = colored(PS_GEOM_BOX, 1, 0, 0);
    g.size = tu_v(0.5, 0.5, 0.5);
    ps_body_id box = body_with(w, g, tu_v(3, 1, 0.5));
    ps_snapshot *s = ps_snapshot_create();
    CHECK_EQ(ps_snapshot_capture(s, w), PS_OK);
    ps_renderer *r = ps_camera_renderer_renderer(cr);
    CHECK(r != NULL);
    if (!r) { ps_snapshot_destroy(s); ps_world_destroy(w); return; }
    CHECK(ps_gl_context_make_current(ps_camera_renderer_context(cr)));
    ps_render_view v = {{0, 0, 0.5}, {3, 1, 0.5}, {0, 0, 1}, FOV, 0.05, 100, 320, 240};
    int32_t segid = 99;
    ps_vec3 p = {0, 0, 0};
    CHECK(ps_renderer_pick(r, s, &v, PS_DRAW_DEFAULT, 160, 120, &segid, &p) == PS_OK);
    CHECK_EQ(segid, (int)box.index + 1);
    // The view axis meets the box's -x face (x = 2.75) near (2.75, 0.917, 0.5).
    CHECK_NEAR(p.x, 2.75, 0.01);
    CHECK_NEAR(p.y, 2.75 / 3.0, 0.01);
    CHECK_NEAR(p.z, 0.5, 0.01);
    CHECK(ps_renderer_pick(r, s, &v, PS_DRAW_DEFAULT, 5, 5, &segid, &p) == PS_OK);
    CHECK_EQ(segid, 0);
    CHECK(ps_renderer_pick(r, s, &v, PS_DRAW_DEFAULT, 320, 5, &segid, &p) == PS_ERR_INVALID);

    // Visual meshes through assimp: Collada and STL from the shipped robots.
    size_t tris = 0;
    char err[PS_ERR_LEN];
    CHECK(ps_renderer_load_mesh(r, PILOTSIM_SOURCE_DIR "/assets/example-robot-data/robots/ur_description/meshes/ur5/visual/forearm.dae",
                                &tris, err, sizeof err) == PS_OK);
    CHECK(tris > 100);
    tris = 0;
    CHECK(ps_renderer_load_mesh(r, PILOTSIM_SOURCE_DIR "/assets/example-robot-data/robots/double_pendulum_description/meshes/link1.stl",
                                &tris, err, sizeof err) == PS_OK);
    CHECK(tris > 10);
    CHECK(ps_renderer_load_mesh(r, "/nonexistent/part.dae", &tris, err, sizeof err) == PS_ERR_IO);
    CHECK(strstr(err, "/nonexistent/part.dae") != NULL);

    // Colour, text, rect and image overlays into a target: the rect's pixels are its colour.
    char terr[PS_ERR_LEN];
    ps_render_target *t = ps_render_target_create(r, 320, 240, false, terr, sizeof terr);
    CHECK(t != NULL);
    if (t) {
        ps_render_target_bind(t);
        CHECK(ps_renderer_draw(r, s, &v, PS_DRAW_DEFAULT | PS_DRAW_COM | PS_DRAW_ZONES, 0) == PS_OK);
        static const float green[4] = {0, 1, 0, 1}, white[4] = {1, 1, 1, 1};
        ps_renderer_rect(r, 10, 20, 30, 10, green);
        ps_renderer_text(r, 10, 200, 1, white, "pilotsim 0123");
        float img[4 * 3] = {1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0};
        ps_renderer_image(r, 200, 10, 20, 20, img, 2, 2, 3);
        uint8_t *rgb8 = malloc(320 * 240 * 3);
        CHECK(ps_render_target_read_rgb8(t, rgb8) == PS_OK);
        const uint8_t *q = rgb8 + (25 * 320 + 20) * 3;
        CHECK(q[0] < 10 && q[1] > 245 && q[2] < 10);
        q = rgb8 + (15 * 320 + 205) * 3; // image top-left texel: red
        CHECK(q[0] > 245 && q[1] < 10 && q[2] < 10);
        q = rgb8 + (25 * 320 + 215) * 3; // bottom-right: red too ({1,0,0})
        CHECK(q[0] > 245 && q[2] < 10);
        // Text drew some light pixels in its line.
        int lit = 0;
        for (int y = 200; y < 216; y++)
            for (int x = 10; x < 10 + 13 * 8; x++) lit += rgb8[(y * 320 + x) * 3 + 1] > 200;
        CHECK(lit > 50);
        free(rgb8);
        ps_render_target_unbind(t);
        ps_render_target_destroy(t);
    }
    ps_snapshot_destroy(s);
    ps_world_destroy(w);
}

// Translucent shapes blend back to front whatever their order in the snapshot;
// depth and segmentation see them as solid.
static void test_translucent(void)
{
    ps_world *w = world0();
    ps_geom_def g = colored(PS_GEOM_BOX, 0, 1, 0);
    g.size = tu_v(0.1, 1, 1);
    g.rgba[3] = 0.5f;
    ps_body_id front = body_with(w, g, tu_v(2, 0, 0));   // made first: first in the snapshot
    g = colored(PS_GEOM_BOX, 0, 0, 1);
    g.size = tu_v(0.1, 1, 1);
    g.rgba[3] = 0.5f;
    body_with(w, g, tu_v(3, 0, 0));
    g = colored(PS_GEOM_BOX, 1, 0, 0);
    g.size = tu_v(0.1, 1, 1);
    body_with(w, g, tu_v(4, 0, 0));
    ps_sensor_id rgb = camera(w, "rgb", PS_CAMERA_RGB, PS_BODY_NONE, at(0, 0, 0));
    ps_sensor_id seg = camera(w, "seg", PS_CAMERA_SEGMENTATION, PS_BODY_NONE, at(0, 0, 0));
    ps_sensor_id dep = camera(w, "dep", PS_CAMERA_DEPTH, PS_BODY_NONE, at(0, 0, 0));
    CHECK_EQ(ps_world_step(w), PS_OK);
    const float *c = px(w, rgb, W / 2, H / 2, 3);
    NOTE("blend %.3f %.3f %.3f", c[0], c[1], c[2]);
    // green over (blue over red): g = L/2, b = L/4, r = L/4 (L: the lit level)
    CHECK(c[1] > 1.6 * c[2]);
    CHECK(c[0] > 0.05 && c[2] > 0.05);
    CHECK_NEAR(c[0], c[2], 0.03);
    CHECK_EQ((int)*px(w, seg, W / 2, H / 2, 1), (int)front.index + 1);
    CHECK_REL(*px(w, dep, W / 2, H / 2, 1), 1.95, 0.01);
    ps_world_destroy(w);
}

// A robot whose visual mesh cannot be read is drawn with its collision shapes
// (and a warning), not left out.
static void test_visual_fallback(void)
{
    FILE *f = fopen("broken_visual.dae", "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("this is not a Collada file\n", f);
    fclose(f);
    f = fopen("broken_visual.urdf", "w");
    fputs("<robot name='b'><link name='base'>\n"
          " <inertial><mass value='1'/><inertia ixx='0.1' iyy='0.1' izz='0.1' ixy='0' ixz='0' iyz='0'/></inertial>\n"
          " <visual><geometry><mesh filename='broken_visual.dae'/></geometry></visual>\n"
          " <collision><geometry><box size='0.5 0.5 0.5'/></geometry></collision>\n"
          "</link></robot>\n", f);
    fclose(f);
    ps_urdf_model *m = ps_urdf_load("broken_visual.urdf", NULL, NULL, 0);
    CHECK(m != NULL);
    if (!m) return;
    ps_world *w = world0();
    ps_urdf_build_options bo = ps_default_urdf_build_options();
    bo.fixed_base = true;
    bo.base.p = tu_v(3, 0, 0);
    ps_robot_id rb = ps_robot_from_urdf(w, m, &bo);
    CHECK(rb.gen != 0);
    CHECK_EQ(ps_robot_visual_count(w, rb), 1);
    ps_sensor_id seg = camera(w, "seg", PS_CAMERA_SEGMENTATION, PS_BODY_NONE, at(0, 0, 0));
    CHECK_EQ(ps_world_step(w), PS_OK);
    CHECK((int)*px(w, seg, W / 2, H / 2, 1) > 0);
    ps_world_destroy(w);
    ps_urdf_free(m);
}

// A box's shadow on the floor, where the light throws it (the renderer's fixed
// light, (0.32152, 0.22966, -0.91862)), for two positions of the box: the
// floor is drawn with the shadow lookup only inside the screen box of the
// casters pushed along the light onto it (shadow_rect), so a box too small or
// one left at the last frame's casters loses the shadow.
static void test_plane_shadow_moves(void)
{
    ps_world *w = world_floor();
    ps_geom_def g = colored(PS_GEOM_BOX, 0.2f, 0.6f, 0.2f);
    g.size = tu_v(0.5, 0.5, 0.5);
    ps_body_id box = body_with(w, g, tu_v(3, 0.5, 2));
    const double th = 0.5235987755982988; // pitched 30 degrees down
    const double c = cos(th), s = sin(th);
    ps_sensor_id rgb = camera(w, "rgb", PS_CAMERA_RGB, PS_BODY_NONE,
                              (ps_pose){{0, 0, 3}, {cos(th / 2), 0, sin(th / 2), 0}});
    const double L[3] = {0.32152, 0.22966, -0.91862};
    for (int k = 0; k < 2; k++) {
        double y = k ? -0.5 : 0.5; // the box, then its shadow, from one side of the view to the other
        CHECK_EQ(ps_body_set_pose(w, box, (ps_pose){{3, y, 2}, {1, 0, 0, 0}}), PS_OK);
        CHECK_EQ(ps_world_step(w), PS_OK);
        // Along the light from the box's centre to the floor; where the other position's shadow falls.
        double t = 2 / -L[2], sx = 3 + t * L[0];
        float mean[2] = {0, 0};
        for (int side = 0; side < 2; side++) {
            ps_vec3 p = {sx, (side ? -y : y) + t * L[1], 0}; // world, seen from the camera at (0, 0, 3)
            ps_vec3 q = {c * p.x - s * (p.z - 3), p.y, s * p.x + c * (p.z - 3)};
            int col, row;
            project(q, &col, &row);
            CHECK(col >= 2 && col < W - 2 && row >= 2 && row < H - 2);
            for (int dr = -1; dr <= 1; dr++)
                for (int dc = -1; dc <= 1; dc++) mean[side] += px(w, rgb, col + dc, row + dr, 3)[0] / 9;
        }
        NOTE("box at y %.1f: floor red %.3f in its shadow, %.3f where the other one falls", y, mean[0], mean[1]);
        CHECK(mean[0] < 0.25f);
        CHECK(mean[1] > 0.35f);
    }
    ps_world_destroy(w);
}

// Rendering a camera leaves the physics alone: the same hashes with and without.
static void test_determinism(void)
{
    uint64_t hashes[2];
    for (int k = 0; k < 2; k++) {
        ps_world *w = k ? world0() : tu_world_nograv();
        ps_geom_def fl = ps_default_geom_def(PS_GEOM_PLANE);
        fl.plane[2] = 1;
        ps_geom_create(w, PS_BODY_NONE, &fl);
        ps_geom_def g = ps_default_geom_def(PS_GEOM_SPHERE);
        g.radius = 0.2;
        ps_body_id b = body_with(w, g, tu_v(2, 0, 1));
        ps_body_set_linvel(w, b, tu_v(0.3, 0.2, 0));
        if (k) {
            ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_CAMERA);
            d.name = "cam";
            d.body = b;
            d.width = 32; d.height = 24;
            d.rate = 50;
            CHECK(ps_sensor_create(w, &d).gen != 0);
        }
        for (int i = 0; i < 200; i++) CHECK_EQ(ps_world_step(w), PS_OK);
        hashes[k] = ps_world_state_hash(w);
        ps_world_destroy(w);
    }
    CHECK(hashes[0] == hashes[1]);
}

static void test_backends(void)
{
    char err[PS_ERR_LEN];
    ps_gl_context *c = ps_gl_context_create_offscreen(PS_GL_EGL, err, sizeof err);
    CHECK(c != NULL);
    if (!c) NOTE("%s", err);
    CHECK(ps_gl_context_backend(c) == PS_GL_EGL);
    CHECK(ps_gl_context_window(c) == NULL);
    ps_gl_context_destroy(c);
    setenv("PILOTSIM_GL", "vulkan", 1);
    CHECK(ps_gl_context_create_offscreen(PS_GL_AUTO, err, sizeof err) == NULL);
    CHECK(strstr(err, "PILOTSIM_GL") != NULL);
    unsetenv("PILOTSIM_GL");
    // A lazy camera renderer with a failing backend fails the camera's step, naming it.
    setenv("PILOTSIM_GL", "bogus", 1);
    ps_camera_renderer *bad = ps_camera_renderer_create_lazy(PS_GL_AUTO);
    ps_world *w = tu_world();
    ps_world_set_render_callback(w, ps_camera_render, bad);
    ps_world_set_render_error_fn(w, ps_camera_render_error);
    ps_sensor_def d = ps_default_sensor_def(PS_SENSOR_CAMERA);
    d.name = "front_cam";
    d.body = stand(w);
    CHECK(ps_sensor_create(w, &d).gen != 0);
    CHECK_EQ(ps_world_step(w), PS_ERR_STATE);
    CHECK(strstr(ps_world_last_error(w), "front_cam") != NULL);
    CHECK(strstr(ps_world_last_error(w), "PILOTSIM_GL='bogus'") != NULL);
    CHECK(strstr(ps_camera_renderer_error(bad), "PILOTSIM_GL") != NULL);
    NOTE("%s", ps_world_last_error(w));
    ps_world_destroy(w);
    ps_camera_renderer_destroy(bad);
    unsetenv("PILOTSIM_GL");
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    char err[PS_ERR_LEN];
    cr = ps_camera_renderer_create(PS_GL_EGL, err, sizeof err);
    if (!cr) {
        fprintf(stderr, "test_render: %s\n", err);
        return 1;
    }
    RUN(test_red_box);
    RUN(test_every_geom);
    RUN(test_camera_convention_and_darkness);
    RUN(test_pick_and_meshes);
    RUN(test_translucent);
    RUN(test_visual_fallback);
    RUN(test_plane_shadow_moves);
    RUN(test_determinism);
    RUN(test_backends);
    ps_camera_renderer_destroy(cr);
    return TEST_DONE();
}
