// The viewer's modules that need no window: orbit camera maths, key map,
// reload watcher, script parser, teleop mapping and the fixed-timestep
// simulation loop (speed, pause, caps, determinism, reload, spring drag).
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "auto_scale.h"
#include "keymap.h"
#include "orbit_camera.h"
#include "reload_watch.h"
#include "script.h"
#include "sim_loop.h"
#include "teleop.h"

#include <GLFW/glfw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static double dist(ps_vec3 a, ps_vec3 b)
{
    return sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z));
}

static void test_orbit_camera(void)
{
    ps_orbit_camera c = ps_orbit_camera_default();
    ps_vec3 eye = {-8, 1, 3}, target = {0.5, 0, 0.5};
    ps_orbit_camera_look_at(&c, eye, target);
    CHECK(dist(ps_orbit_camera_eye(&c), eye) < 1e-9);
    ps_orbit_camera_set_home(&c);
    ps_render_view v = ps_orbit_camera_view(&c, 640, 360);
    // The target projects to the centre; a point and the ray through its pixel agree.
    double px, py;
    CHECK(ps_render_view_project(&v, target, &px, &py));
    CHECK_NEAR(px, 319.5, 1e-9);
    CHECK_NEAR(py, 179.5, 1e-9);
    ps_vec3 p = {1, -2, 1.2};
    CHECK(ps_render_view_project(&v, p, &px, &py));
    ps_vec3 r = ps_render_view_ray(&v, px, py), d = {p.x - eye.x, p.y - eye.y, p.z - eye.z};
    double n = sqrt(d.x * d.x + d.y * d.y + d.z * d.z);
    CHECK_NEAR(r.x, d.x / n, 1e-9);
    CHECK_NEAR(r.y, d.y / n, 1e-9);
    CHECK_NEAR(r.z, d.z / n, 1e-9);
    CHECK(!ps_render_view_project(&v, (ps_vec3){-20, 1, 3}, &px, &py)); // behind the eye
    // Orbit: 0.005 rad per pixel around the target, pitch clamped below the pole.
    double yaw = c.yaw, d0 = c.distance;
    ps_orbit_camera_orbit(&c, 100, 0);
    CHECK_NEAR(remainder(c.yaw - (yaw - 0.5), 2 * 3.14159265358979323846), 0, 1e-12);
    CHECK_NEAR(c.distance, d0, 1e-12);
    ps_orbit_camera_orbit(&c, 0, 10000);
    CHECK(c.pitch <= 1.55 && c.pitch > 1.5);
    // Zoom: 10% closer per step. Pan: the target moves sideways by the pixels' width at its depth.
    ps_orbit_camera_home(&c);
    ps_orbit_camera_zoom(&c, 2);
    CHECK_NEAR(c.distance, d0 * 0.81, 1e-9);
    ps_orbit_camera_home(&c);
    ps_orbit_camera_pan(&c, 10, 0, 360);
    double want = 10 * 2 * d0 * tan(c.fov_y / 2) / 360;
    CHECK_NEAR(dist(c.target, target), want, 1e-9);
    CHECK_NEAR(c.target.z, target.z, 1e-12); // horizontal pan for a level right vector
    ps_orbit_camera_home(&c);
    CHECK(dist(ps_orbit_camera_eye(&c), eye) < 1e-9);
    // Framing a box puts its centre at the target.
    ps_orbit_camera_frame_box(&c, (ps_vec3){-1, -1, 0}, (ps_vec3){3, 1, 2});
    CHECK(dist(c.target, (ps_vec3){1, 0, 1}) < 1e-12);
    CHECK(c.distance > 3);
}

static void test_keymap(void)
{
    size_t n;
    const ps_key_binding *k = ps_keymap(&n);
    bool bound[PS_CMD_COUNT] = {false};
    for (size_t i = 0; i < n; i++) {
        bound[k[i].cmd] = true;
        CHECK(k[i].help && k[i].help[0] && k[i].keys && k[i].keys[0]);
        for (size_t j = i + 1; j < n; j++)
            if (!CHECK(!(k[i].key == k[j].key && k[i].mods == k[j].mods))) NOTE("%s bound twice", k[i].keys);
        CHECK_EQ(ps_keymap_lookup(k[i].key, k[i].mods), k[i].cmd);
    }
    for (int c = 1; c < PS_CMD_COUNT; c++)
        if (!CHECK(bound[c])) NOTE("command %d has no key", c);
    CHECK_EQ(ps_keymap_lookup(GLFW_KEY_TAB, GLFW_MOD_SHIFT), PS_CMD_ACT_PREV_ENTRY);
    CHECK_EQ(ps_keymap_lookup(GLFW_KEY_EQUAL, GLFW_MOD_SHIFT), PS_CMD_ACT_INC); // '+' typed with shift
    CHECK_EQ(ps_keymap_lookup(GLFW_KEY_SPACE, GLFW_MOD_NUM_LOCK), PS_CMD_PAUSE); // lock keys ignored
    CHECK_EQ(ps_keymap_lookup(GLFW_KEY_Q, 0), PS_CMD_NONE);                       // quit needs ctrl
    CHECK_EQ(ps_keymap_key_from_name("F1"), GLFW_KEY_F1);
    CHECK_EQ(ps_keymap_key_from_name("f12"), GLFW_KEY_F12);
    CHECK_EQ(ps_keymap_key_from_name("space"), GLFW_KEY_SPACE);
    CHECK_EQ(ps_keymap_key_from_name("R"), GLFW_KEY_R);
    CHECK_EQ(ps_keymap_key_from_name("7"), GLFW_KEY_7);
    CHECK_EQ(ps_keymap_key_from_name("bogus"), -1);
    CHECK_EQ(ps_keymap_key_from_name("f99"), -1);
    CHECK_EQ(ps_keymap_key_from_name(""), -1);
}

static void test_reload_watch(void)
{
    write_file("watch_a.lua", "return 1\n");
    ps_reload_watch *w = ps_reload_watch_create(0.1);
    const char *paths[] = {"watch_a.lua", "watch_b.lua"};
    unlink("watch_b.lua");
    CHECK(ps_reload_watch_set(w, paths, 2));
    CHECK(ps_reload_watch_add(w, "watch_a.lua")); // already watched
    CHECK_EQ(ps_reload_watch_count(w), 2);
    const char *changed = NULL;
    CHECK(!ps_reload_watch_poll(w, 1.0, &changed));
    write_file("watch_a.lua", "return 22\n");
    CHECK(!ps_reload_watch_poll(w, 1.05, &changed)); // polls at most every 0.1 s
    CHECK(!ps_reload_watch_poll(w, 1.2, &changed));  // seen, not settled yet
    CHECK(ps_reload_watch_poll(w, 1.35, &changed));  // settled
    CHECK(changed && strcmp(changed, "watch_a.lua") == 0);
    CHECK(!ps_reload_watch_poll(w, 1.5, &changed)); // reported once
    // A file appearing counts; so does a replacement by rename with the same size.
    write_file("watch_b.lua", "x");
    CHECK(!ps_reload_watch_poll(w, 2.0, &changed));
    CHECK(ps_reload_watch_poll(w, 2.2, &changed));
    CHECK(changed && strcmp(changed, "watch_b.lua") == 0);
    write_file("watch_b.tmp", "y");
    CHECK_EQ(rename("watch_b.tmp", "watch_b.lua"), 0);
    CHECK(!ps_reload_watch_poll(w, 3.0, &changed));
    CHECK(ps_reload_watch_poll(w, 3.2, &changed));
    ps_reload_watch_destroy(w);
}

static void test_script(void)
{
    char err[PS_ERR_LEN];
    ps_script s;
    write_file("ok.txt", "# comment\nwait 3\nkey space\nkey r shift\nclick left 10 20 ctrl\n"
                         "drag right 0 0 10 0 4\nscroll -2\nscreenshot out.png\nwait_for reloads 2\n"
                         "wait_for error\nwait_steps 10\nstate\nbody box\nquit\n");
    CHECK(ps_script_load(&s, "ok.txt", err, sizeof err));
    // wait, key (down+up), key (down+up), click (move wait press wait release),
    // drag (move wait press + 4 x (wait move) + wait release), scroll, screenshot,
    // wait_for x2, wait_steps, state, body, quit
    CHECK_EQ(s.count, 1 + 2 + 2 + 5 + (3 + 8 + 2) + 1 + 1 + 2 + 1 + 1 + 1 + 1);
    CHECK_EQ(s.ev[1].op, PS_SOP_KEY_DOWN);
    CHECK_EQ(s.ev[1].key, GLFW_KEY_SPACE);
    CHECK_EQ(s.ev[3].mods, GLFW_MOD_SHIFT);
    CHECK_EQ(s.ev[7].op, PS_SOP_PRESS);
    CHECK_EQ(s.ev[7].mods, GLFW_MOD_CONTROL);
    CHECK_NEAR(s.ev[5].x, 10, 0);
    CHECK_NEAR(s.ev[5].y, 20, 0);
    CHECK_EQ(s.ev[16].op, PS_SOP_MOVE);
    CHECK_NEAR(s.ev[16].x, 5, 1e-12); // halfway through the drag
    ps_script_free(&s);
    struct { const char *text, *want; } bad[] = {
        {"wait\n", "ok.txt:1: wait: needs a count"},
        {"wait 1\nkey nokey\n", "ok.txt:2: key: unknown key name"},
        {"key a meta\n", "unknown modifier"},
        {"click left 1\n", "needs BUTTON X Y"},
        {"drag left 0 0 1 1\n", "needs BUTTON X0 Y0 X1 Y1 FRAMES"},
        {"wait_for nothing\n", "needs a condition"},
        {"wait_for reloads\n", "reloads needs a count"},
        {"screenshot\n", "needs a PATH"},
        {"fly 1\n", "unknown command"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file("ok.txt", bad[i].text);
        err[0] = '\0';
        CHECK(!ps_script_load(&s, "ok.txt", err, sizeof err));
        CHECK_HAS(err, bad[i].want);
    }
    CHECK(!ps_script_load(&s, "no_such_script.txt", err, sizeof err));
    CHECK_HAS(err, "no_such_script.txt: cannot open");
}

// A scene with two action entries, a box the action pushes, and a time limit of 100 s.
static const char *SCENE =
    "local box\n"
    "return {\n"
    "  name = 'loop', timestep = 0.002, time_limit = 100,\n"
    "  action = {a = {shape = {3}, low = -2, high = 2}, b = {shape = {2}}},\n"
    "  build = function(world, ctx)\n"
    "    world:geom{type = 'plane', normal = {0, 0, 1}, offset = 0}\n"
    "    box = world:body{name = 'box', pos = {0, 0, 0.1 + 0.2 * math.random()}, mass = 1,\n"
    "                     geoms = {{type = 'box', size = {0.2, 0.2, 0.2}}}}\n"
    "  end,\n"
    "  act = function(ctx, action) box:add_force(action.a[1] * 5, 0, 0) end,\n"
    "}\n";

static bool loop_init(ps_sim_loop *l, const char *path, uint64_t seed)
{
    ps_sim_loop_config cfg = {.scene_path = path, .scene_opt = ps_default_scene_options(),
                              .policy_opt = ps_default_policy_options(), .seed = seed};
    char err[PS_ERR_LEN];
    if (!ps_sim_loop_init(l, &cfg, err, sizeof err)) {
        NOTE("%s", err);
        return false;
    }
    return true;
}

// The automatic resolution step on frame rates from a frame-time model
// fixed + per_px * scale^2 (wall ms per frame): it settles where the model says, steps up only
// on a prediction, and a wrong prediction costs one slow second, no flicker.
static double run_scale(double start, bool vsync, double fixed, double per_px, int seconds, int *downs)
{
    ps_auto_scale a;
    ps_auto_scale_init(&a, start, vsync);
    *downs = 0;
    for (int t = 0; t < seconds; t++) {
        double before = a.scale;
        double fps = 1000.0 / (fixed + per_px * a.scale * a.scale);
        if (ps_auto_scale_update(&a, fps) < before) (*downs)++;
    }
    return a.scale;
}

static void test_auto_scale(void)
{
    int downs;
    // Light (pendulum on llvmpipe: 129 fps at 0.5, 84 at 1): up to full resolution.
    CHECK_EQ(run_scale(0.5, false, 6.3, 5.6, 10, &downs), 1.0);
    CHECK_EQ(downs, 0);
    // Heavy (humanoid_wave: 68 fps at 0.5, 45 at 1): stays at 0.5.
    CHECK_EQ(run_scale(0.5, false, 12.3, 9.9, 30, &downs), 0.5);
    CHECK_EQ(downs, 0);
    // Middle: 0.75 makes 66 fps, 1 does not.
    CHECK_EQ(run_scale(0.5, false, 6.0, 10.0, 30, &downs), 0.75);
    CHECK_EQ(downs, 0);
    // Per-pixel cost the prior underestimates: one step up, one slow second at
    // 0.75, back to 0.5 for good (the fitted model then predicts it).
    CHECK_EQ(run_scale(0.5, false, 5.0, 22.0, 60, &downs), 0.5);
    CHECK_EQ(downs, 1);
    // Too slow at full resolution: steps down to where 60 fps holds.
    CHECK_EQ(run_scale(1.0, false, 8.0, 14.0, 30, &downs), 0.75);
    CHECK_EQ(downs, 1);
    CHECK_EQ(run_scale(1.0, false, 12.0, 20.0, 30, &downs), 0.5);
    CHECK_EQ(downs, 2);
    // A GPU under vsync at 59.94 Hz is not slow: full resolution stays.
    ps_auto_scale a;
    ps_auto_scale_init(&a, 1.0, true);
    for (int t = 0; t < 20; t++) CHECK_EQ(ps_auto_scale_update(&a, 59.94), 1.0);
    ps_auto_scale_init(&a, 1.0, false); // without vsync 59.9 is below 60
    CHECK_EQ(ps_auto_scale_update(&a, 59.9), 0.75);
    // Start values snap to the grid; nonsense rates change nothing.
    ps_auto_scale_init(&a, 0.3, false);
    CHECK_EQ(a.scale, 0.5);
    CHECK_EQ(ps_auto_scale_update(&a, 0.0), 0.5);
    CHECK_EQ(ps_auto_scale_update(&a, NAN), 0.5);
}

static void test_teleop(void)
{
    write_file("loop_scene.lua", SCENE);
    ps_sim_loop l;
    if (!CHECK(loop_init(&l, "loop_scene.lua", 0))) return;
    ps_episode *e = l.ep;
    ps_teleop t = {0};
    ps_teleop_fit(&t, e);
    ps_space_entry *a = ps_episode_action(e, 0), *b = ps_episode_action(e, 1);
    CHECK(strcmp(a->name, "a") == 0 && strcmp(b->name, "b") == 0);
    ps_teleop_drive(&t, e, 0, true); // forward: value 0 at its high bound
    CHECK_NEAR(a->data[0], 2, 0);
    ps_teleop_drive(&t, e, 1, true); // back as well: they cancel
    CHECK_NEAR(a->data[0], 0, 0);
    ps_teleop_drive(&t, e, 0, false);
    CHECK_NEAR(a->data[0], -2, 0);
    ps_teleop_drive(&t, e, 1, false);
    CHECK_NEAR(a->data[0], 0, 0);
    ps_teleop_drive(&t, e, 2, true); // left: value 1 at +max
    CHECK_NEAR(a->data[1], 2, 0);
    ps_teleop_drive(&t, e, 2, false);
    ps_teleop_next_dim(&t, e, 1);
    ps_teleop_nudge(&t, e, 1); // +10% of [-2, 2]
    CHECK_NEAR(a->data[1], 0.4, 1e-6);
    for (int i = 0; i < 20; i++) ps_teleop_nudge(&t, e, 1);
    CHECK_NEAR(a->data[1], 2, 0); // clamped
    ps_teleop_next_dim(&t, e, -1);
    ps_teleop_next_dim(&t, e, -1); // wraps to the last value
    CHECK_EQ(t.dim, 2);
    ps_teleop_next_entry(&t, e, 1);
    CHECK_EQ(t.entry, 1);
    CHECK_EQ(t.dim, 0);
    ps_teleop_nudge(&t, e, -1); // unbounded: range [-1, 1]
    CHECK_NEAR(b->data[0], -0.2, 1e-6);
    ps_teleop_next_entry(&t, e, 1);
    CHECK_EQ(t.entry, 0);
    // Gamepad: left stick up = value 0 forward, left = value 1 positive; a dead zone.
    const float up_left[4] = {-1, -1, 0, 0.05f};
    CHECK(ps_teleop_gamepad(&t, e, up_left));
    CHECK_NEAR(a->data[0], 2, 0);
    CHECK_NEAR(a->data[1], 2, 0);
    CHECK_NEAR(a->data[2], 0, 0);
    const float rest[4] = {0.05f, -0.05f, 0, 0};
    CHECK(ps_teleop_gamepad(&t, e, rest)); // back to the centre once
    CHECK_NEAR(a->data[0], 0, 0);
    CHECK(!ps_teleop_gamepad(&t, e, rest)); // then the pad leaves the actions alone
    ps_teleop_zero(&t, e);
    CHECK_NEAR(a->data[1] + b->data[0], 0, 0);
    ps_sim_loop_free(&l);
}

static void test_sim_loop(void)
{
    write_file("loop_scene.lua", SCENE);
    ps_sim_loop l;
    if (!CHECK(loop_init(&l, "loop_scene.lua", 7))) return;
    // Real time x speed, in whole fixed steps; the remainder carries over.
    uint64_t total = 0;
    for (int i = 0; i < 10; i++) total += (uint64_t)ps_sim_loop_advance(&l, 0.0137);
    CHECK(total >= 67 && total <= 69); // 0.137 s / 2 ms = 68.5
    CHECK_EQ(ps_episode_steps(l.ep), total);
    ps_sim_loop_set_speed(&l, 1.0 / 16);
    total = 0;
    for (int i = 0; i < 20; i++) total += (uint64_t)ps_sim_loop_advance(&l, 0.1);
    CHECK(total >= 61 && total <= 63); // 2 s / 16 / 2 ms = 62.5
    ps_sim_loop_set_speed(&l, 100);
    CHECK_NEAR(l.speed, 16, 0);
    // Paused: only requested steps, exactly one each.
    l.paused = true;
    uint64_t s0 = ps_episode_steps(l.ep);
    CHECK_EQ(ps_sim_loop_advance(&l, 0.2), 0);
    ps_sim_loop_request_step(&l);
    CHECK_EQ(ps_sim_loop_advance(&l, 0.2), 1);
    CHECK_EQ(ps_episode_steps(l.ep), s0 + 1);
    l.paused = false;
    // The per-frame cap drops the time owed instead of spiralling.
    l.max_steps_per_frame = 10;
    CHECK_EQ(ps_sim_loop_advance(&l, 0.2), 10);
    CHECK(l.dropped);
    CHECK_NEAR(l.acc, 0, 0);
    l.max_steps_per_frame = 2000;
    // A step limit stops stepping there.
    l.step_limit = ps_episode_steps(l.ep) + 5;
    CHECK_EQ(ps_sim_loop_advance(&l, 0.25), 5);
    CHECK_EQ(ps_sim_loop_advance(&l, 0.25), 0);
    // Determinism: 300 steps in uneven frames give the state of 300 plain steps.
    ps_sim_loop_reset(&l, 3);
    l.step_limit = 300;
    ps_sim_loop_set_speed(&l, 1);
    const double frames[] = {0.016, 0.0301, 0.001, 0.07, 0.0049};
    for (int i = 0; ps_episode_steps(l.ep) < 300 && i < 10000; i++) ps_sim_loop_advance(&l, frames[i % 5]);
    CHECK_EQ(ps_episode_steps(l.ep), 300);
    ps_sim_loop ref;
    if (CHECK(loop_init(&ref, "loop_scene.lua", 3))) {
        // (loop_init begins an episode on its own scene: two scenes, two episodes)
        for (int i = 0; i < 300; i++) ps_episode_step(ref.ep, 0);
        CHECK(ps_world_state_hash(ps_sim_loop_world(&ref)) == ps_world_state_hash(ps_sim_loop_world(&l)));
        ps_sim_loop_free(&ref);
    }
    l.step_limit = 0;
    // Spring drag: the box follows a target 0.5 m to its side.
    ps_world *w = ps_sim_loop_world(&l);
    ps_body_id box = ps_body_find(w, "box");
    ps_pose p;
    ps_body_get_pose(w, box, &p);
    ps_sim_loop_drag_begin(&l, box, p.p);
    l.drag_target = (ps_vec3){p.p.x, p.p.y + 0.5, p.p.z + 0.05};
    for (int i = 0; i < 60; i++) ps_sim_loop_advance(&l, 1.0 / 60);
    ps_vec3 anchor;
    CHECK(ps_sim_loop_drag_anchor(&l, &anchor));
    CHECK(dist(anchor, l.drag_target) < 0.1);
    l.drag_on = false;
    // Reload: a broken file keeps the running world and explains; a fixed one swaps it in.
    uint64_t before = ps_episode_steps(l.ep);
    write_file("loop_scene.lua", "return {\n  name = = 1,\n}\n");
    CHECK(!ps_sim_loop_reload(&l));
    CHECK_HAS(l.error, "loop_scene.lua:2:");
    CHECK(ps_episode_steps(l.ep) == before && ps_episode_get_status(l.ep) == PS_EP_RUNNING);
    write_file("loop_scene.lua", "return {name = 'x', timestep = 0.002, time_limit = 1,\n"
                                 "  build = function(world, ctx) error('no build today') end}\n");
    CHECK(!ps_sim_loop_reload(&l));
    CHECK_HAS(l.error, "no build today");
    CHECK_EQ(ps_sim_loop_advance(&l, 0.01), 5); // still the old world
    write_file("loop_scene.lua", SCENE);
    CHECK(ps_sim_loop_reload(&l));
    CHECK_EQ(l.reloads, 1);
    CHECK_EQ(ps_episode_steps(l.ep), 0);
    CHECK(l.error[0] == '\0');
    const char *src[4];
    CHECK_EQ(ps_sim_loop_sources(&l, src, 4), 1);
    ps_sim_loop_free(&l);
}

// Rewind: the history holds a state every 0.25 s (125 steps at 2 ms); after
// rewinding, running again reaches the very same states.
static void test_rewind(void)
{
    write_file("loop_scene.lua", SCENE);
    ps_sim_loop l;
    if (!CHECK(loop_init(&l, "loop_scene.lua", 5))) return;
    l.max_speed = true;
    l.step_limit = 400;
    ps_episode_action(l.ep, 0)->data[0] = 1.5f; // push the box: the trajectory depends on time
    while (ps_episode_steps(l.ep) < 400) ps_sim_loop_advance(&l, 0.01);
    uint64_t h400 = ps_world_state_hash(ps_sim_loop_world(&l));
    CHECK_EQ(ps_history_count(l.history), 4); // steps 0, 125, 250, 375
    CHECK(ps_sim_loop_rewind(&l));
    CHECK(l.paused);
    CHECK_EQ(ps_episode_steps(l.ep), 375);
    CHECK(ps_sim_loop_rewind(&l));
    CHECK_EQ(ps_episode_steps(l.ep), 250);
    CHECK_NEAR(ps_world_time(ps_sim_loop_world(&l)), 0.5, 1e-12);
    l.paused = false;
    while (ps_episode_steps(l.ep) < 400) ps_sim_loop_advance(&l, 0.01);
    CHECK(ps_world_state_hash(ps_sim_loop_world(&l)) == h400);
    // Back to the start, then nothing further.
    while (ps_episode_steps(l.ep) > 0) CHECK(ps_sim_loop_rewind(&l));
    CHECK(!ps_sim_loop_rewind(&l));
    CHECK(strstr(l.error, "nothing to rewind to") != NULL);
    // A reset starts a new history.
    ps_sim_loop_reset(&l, 6);
    CHECK_EQ(ps_history_count(l.history), 1);
    ps_sim_loop_free(&l);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_orbit_camera);
    RUN(test_keymap);
    RUN(test_reload_watch);
    RUN(test_script);
    RUN(test_teleop);
    RUN(test_auto_scale);
    RUN(test_sim_loop);
    RUN(test_rewind);
    return TEST_DONE();
}
