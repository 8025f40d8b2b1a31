// Observation and action spaces: sensor-bound entries share the sensor's
// buffer, robot and fn entries refresh each step, actions are checked,
// clamped, sent to robots and to act(); declaration errors name file:line.
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/sensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif

static char err[PS_ERR_LEN];

static ps_scene *load_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) exit(2);
    fputs(text, f);
    fclose(f);
    ps_scene_options o = ps_default_scene_options();
    const char *pkg[] = {PILOTSIM_SOURCE_DIR "/assets"};
    o.package_paths = pkg;
    o.package_path_count = 1;
    return ps_scene_load(path, &o, err, sizeof err);
}

static const char *SCENE =
    "local cart, arm\n"
    "return { name = 'spaces', timestep = 0.002, time_limit = 1,\n"
    "  observation = {\n"
    "    scan = {sensor = 'lidar'},\n"
    "    joints = {robot = 'arm', field = 'q'},\n"
    "    cart_x = {shape = {1}, fn = function(ctx, out) local x = cart:pos() out[1] = x end},\n"
    "  },\n"
    "  action = {\n"
    "    push = {shape = {1}, low = -10, high = 10},\n"
    "    arm = {robot = 'arm'},\n"
    "  },\n"
    "  build = function(world, ctx)\n"
    "    world:geom{type = 'box', size = {0.1, 4, 1}, pos = {3, 0, 0.5}}\n"
    "    cart = world:body{pos = {0, 0, 0.5}, mass = 1, gravity = false, geoms = {{type = 'sphere', radius = 0.1}}}\n"
    "    world:sensor{type = 'lidar', name = 'lidar', body = cart, h_beams = 4, range_max = 10}\n"
    "    local base = world:body{kind = 'static', pos = {0, 5, 0}}\n"
    "    local link = world:body{pos = {0.5, 5, 0}, mass = 1, gravity = false}\n"
    "    local j = world:joint{type = 'hinge', body1 = link, body2 = base, anchor = {0, 5, 0}, axis = {0, 0, 1}, lo = -1, hi = 1}\n"
    "    arm = world:robot{name = 'arm', links = {base, link}, joints = {{joint = j, actuator = {mode = 'position', kp = 100, kd = 10}}}}\n"
    "  end,\n"
    "  act = function(ctx, action) cart:add_force(action.push[1], 0, 0) end,\n"
    "  metrics = function(ctx) return {obs_x = ctx.obs.cart_x[1], scan0 = ctx.obs.scan[3], q = ctx.obs.joints[1]} end,\n"
    "}\n";

static const ps_space_entry *find(ps_episode *e, bool action, const char *name)
{
    size_t n = action ? ps_episode_action_count(e) : ps_episode_observation_count(e);
    for (size_t i = 0; i < n; i++) {
        const ps_space_entry *x = action ? ps_episode_action(e, i) : ps_episode_observation(e, i);
        if (!strcmp(x->name, name)) return x;
    }
    return NULL;
}

static void test_spaces(void)
{
    ps_scene *s = load_text("spaces.lua", SCENE);
    if (!CHECK(s != NULL)) {
        NOTE("%s", err);
        return;
    }
    ps_episode *e = ps_episode_begin(s, 1);
    if (!CHECK_EQ(ps_episode_get_status(e), PS_EP_RUNNING)) NOTE("%s", ps_episode_message(e));
    // Sorted by name.
    CHECK_EQ(ps_episode_observation_count(e), 3);
    CHECK(!strcmp(ps_episode_observation(e, 0)->name, "cart_x"));
    CHECK(!strcmp(ps_episode_observation(e, 1)->name, "joints"));
    CHECK(!strcmp(ps_episode_observation(e, 2)->name, "scan"));
    CHECK_EQ(ps_episode_action_count(e), 2);
    const ps_space_entry *scan = find(e, false, "scan"), *joints = find(e, false, "joints"), *cx = find(e, false, "cart_x");
    ps_space_entry *push = (ps_space_entry *)find(e, true, "push"), *arm = (ps_space_entry *)find(e, true, "arm");
    if (!CHECK(scan && joints && cx && push && arm)) return;
    // The scan entry is the lidar's own buffer: zero copy.
    ps_world *w = ps_episode_world(e);
    size_t n;
    const float *lidar = ps_sensor_data(w, ps_sensor_find(w, "lidar"), &n);
    CHECK(scan->data == lidar);
    CHECK_EQ(scan->count, 4);
    CHECK_EQ(joints->count, 1);
    CHECK(push->low && push->low[0] == -10 && push->high[0] == 10);
    CHECK(arm->low == NULL);
    // Actions: push 5 N on a 1 kg cart for 0.5 s -> x = 0.5 * 5 * 0.25 = 0.625 m
    // (symplectic Euler: within 1%); the arm target is clamped by the joint limit.
    for (int i = 0; i < 250; i++) {
        push->data[0] = 5;
        arm->data[0] = 0.5;
        CHECK_EQ(ps_episode_step(e, 0), PS_EP_RUNNING);
    }
    CHECK_REL(cx->data[0], 0.625, 0.01);
    CHECK_NEAR(scan->data[2], 3 - 0.05 - cx->data[0], 0.01); // beam 3 looks along +x at the wall face (x = 2.95)
    CHECK_NEAR(joints->data[0], 0.5, 0.02);
    CHECK_EQ(ps_episode_action_clamps(e), 0);
    push->data[0] = 50; // beyond high: clamped to 10 and counted
    ps_episode_step(e, 0);
    CHECK_EQ(ps_episode_action_clamps(e), 1);
    CHECK_NEAR(push->data[0], 10, 0);
    push->data[0] = NAN;
    CHECK_EQ(ps_episode_step(e, 0), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(ps_episode_message(e), "action 'push'[1] is not finite");
    ps_episode_end(e);
    ps_scene_destroy(s);
}

static void test_declaration_errors(void)
{
    const char *head = "return { name = 'x', timestep = 0.01, time_limit = 1, build = function(world, ctx) end,\n";
    struct { const char *body; const char *want; } cases[] = {
        {"observation = {\n a = {shape = {2}}\n} }", "observation 'a' needs a sensor, a robot or fn"},
        {"observation = {\n a = {sensor = 'x', shape = {3}}\n} }", "drop 'shape'"},
        {"action = {\n a = {shape = {2}, low = {0, 0}}\n} }", "give both low and high"},
        {"action = {\n a = {shape = {2}, low = {1}, high = {0}}\n} }", "low[1] > high[1]"},
        {"action = {\n a = {shape = {0}}\n} }", "shape sizes must be positive"},
        {"action = {\n a = {shape = {1}, bogus = 1}\n} }", "unknown field 'bogus'"},
        {"action = {\n a = {}\n} }", "action 'a' needs a shape"},
        {"observation = 3 }", "field 'observation' must be a table"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s\n", head, cases[i].body);
        ps_scene *s = load_text("decl.lua", text);
        if (!CHECK(s == NULL)) {
            ps_scene_destroy(s);
            continue;
        }
        CHECK_HAS(err, cases[i].want);
        CHECK_HAS(err, "decl.lua:");
    }
    // Bound at begin: a missing sensor and a bounds/shape mismatch end the build.
    ps_scene *s = load_text("late.lua", "return { name = 'x', timestep = 0.01, time_limit = 1, build = function() end,\n"
                                        " observation = { a = {sensor = 'nope'} } }\n");
    if (CHECK(s != NULL)) {
        ps_episode *e = ps_episode_begin(s, 1);
        CHECK_EQ(ps_episode_get_status(e), PS_EP_SCRIPT_ERROR);
        CHECK_HAS(ps_episode_message(e), "observation 'a': the scene's build made no sensor 'nope'");
        ps_episode_end(e);
        ps_scene_destroy(s);
    }
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_spaces);
    RUN(test_declaration_errors);
    return TEST_DONE();
}
