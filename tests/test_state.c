// State save/restore (state.h): restoring a saved state and stepping again
// reproduces the original continuation bit for bit (state hash, observations,
// return, ctx.state), on a contact-rich pile, on a pilot scene with a robot,
// noisy and delayed sensors, scripted people and the episode RNG; states are
// refused for another episode, a changed world, and non-plain ctx.state.
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/state.h"
#include "pilotsim/policy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif

static char err[PS_ERR_LEN];

static ps_scene *load(const char *path)
{
    const char *mods[] = {PILOTSIM_SOURCE_DIR "/scripts"};
    const char *pkgs[] = {PILOTSIM_SOURCE_DIR "/assets"};
    ps_scene_options o = ps_default_scene_options();
    o.module_paths = mods;
    o.module_path_count = 1;
    o.package_paths = pkgs;
    o.package_path_count = 1;
    ps_scene *s = ps_scene_load(path, &o, err, sizeof err);
    if (!s) NOTE("load %s: %s", path, err);
    return s;
}

// Everything observable about where an episode is: a hash of the world, the
// observation buffers, the step count and the return.
typedef struct where {
    uint64_t hash, obs, steps;
    double ret;
    ps_episode_status status;
} where;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 0x100000001b3ULL;
    return h;
}

static where at(ps_episode *e)
{
    where w = {ps_world_state_hash(ps_episode_world(e)), 0xcbf29ce484222325ULL, ps_episode_steps(e),
               ps_episode_return(e), ps_episode_get_status(e)};
    for (size_t i = 0; i < ps_episode_observation_count(e); i++) {
        const ps_space_entry *en = ps_episode_observation(e, i);
        w.obs = fnv(w.obs, en->data, en->count * sizeof *en->data);
    }
    return w;
}

// Steps n times with actions that depend on the step (so a wrong restore of
// the counter or the buffers shows).
static void drive(ps_episode *e, int n)
{
    for (int k = 0; k < n && ps_episode_get_status(e) == PS_EP_RUNNING; k++) {
        uint64_t t = ps_episode_steps(e);
        for (size_t i = 0; i < ps_episode_action_count(e); i++) {
            ps_space_entry *en = ps_episode_action(e, i);
            for (size_t j = 0; j < en->count; j++) {
                float v = (float)(0.6 * sin(0.01 * (double)t + (double)j));
                if (en->low && v < en->low[j]) v = en->low[j];
                if (en->high && v > en->high[j]) v = en->high[j];
                en->data[j] = v;
            }
        }
        ps_episode_step(e, 0);
    }
}

static bool same(where a, where b)
{
    return a.hash == b.hash && a.obs == b.obs && a.steps == b.steps && a.ret == b.ret && a.status == b.status;
}

// Save after `before` steps, run `after` more, restore, run `after` again: the
// two continuations must agree exactly, twice over.
static void roundtrip(const char *path, uint64_t seed, int before, int after)
{
    ps_scene *s = load(path);
    CHECK(s != NULL);
    if (!s) return;
    ps_episode *e = ps_episode_begin(s, seed);
    CHECK(ps_episode_get_status(e) == PS_EP_RUNNING);
    drive(e, before);
    ps_episode_state *st = ps_episode_state_create();
    CHECK(ps_episode_save_state(e, st, err, sizeof err) == PS_OK);
    if (*err) NOTE("%s", err);
    where saved = at(e);
    drive(e, after);
    where first = at(e);
    CHECK(first.steps > saved.steps);
    CHECK(first.hash != saved.hash);
    CHECK(ps_episode_restore_state(e, st, err, sizeof err) == PS_OK);
    where back = at(e);
    CHECK(same(back, saved));
    if (!same(back, saved))
        NOTE("%s: restored state differs: hash %d obs %d steps %d return %d status %d", path, back.hash == saved.hash,
             back.obs == saved.obs, back.steps == saved.steps, back.ret == saved.ret, back.status == saved.status);
    drive(e, after);
    where second = at(e);
    CHECK(same(first, second));
    if (!same(first, second))
        NOTE("%s: continuation differs: hash %llx vs %llx, obs %llx vs %llx, steps %llu vs %llu, return %.17g vs %.17g",
             path, (unsigned long long)first.hash, (unsigned long long)second.hash, (unsigned long long)first.obs,
             (unsigned long long)second.obs, (unsigned long long)first.steps, (unsigned long long)second.steps,
             first.ret, second.ret);
    // The state can be restored again (it is not consumed).
    CHECK(ps_episode_restore_state(e, st, err, sizeof err) == PS_OK);
    drive(e, after);
    CHECK(same(first, at(e)));
    ps_episode_state_destroy(st);
    ps_episode_end(e);
    ps_scene_destroy(s);
}

// Save after `before` steps, serialize, and restore the bytes into a fresh
// episode of a second instance of the scene (as replay does): it must continue
// as the original does for `after` steps. What a world only sets up when it
// first steps (a robot's armature, added to its links' inertia about the joint
// axis as it lies then) and what a robot module keeps between steps (an IK
// warm start) must come from the state, not from the fresh episode.
static void fresh_roundtrip(const char *path, uint64_t seed, int before, int after)
{
    ps_scene *a = load(path), *b = load(path);
    CHECK(a && b);
    if (!a || !b) return;
    ps_episode *ea = ps_episode_begin(a, seed);
    drive(ea, before);
    ps_episode_state *st = ps_episode_state_create();
    CHECK(ps_episode_save_state(ea, st, err, sizeof err) == PS_OK);
    void *bytes = NULL;
    size_t len = 0;
    CHECK(ps_episode_state_serialize(st, &bytes, &len) == PS_OK);
    ps_episode_state_destroy(st);
    where saved = at(ea);
    drive(ea, 1);
    where one = at(ea);
    drive(ea, after - 1);
    where first = at(ea);
    ps_episode_state *back = ps_episode_state_deserialize(bytes, len, err, sizeof err);
    CHECK(back != NULL);
    ps_episode *eb = ps_episode_begin(b, seed);
    CHECK(back && ps_episode_restore_state(eb, back, err, sizeof err) == PS_OK);
    CHECK(same(at(eb), saved));
    drive(eb, 1);
    CHECK(same(at(eb), one));
    if (!same(at(eb), one)) NOTE("%s: a fresh episode restored at step %d diverges at the next step", path, before);
    drive(eb, after - 1);
    CHECK(same(at(eb), first));
    ps_episode_state_destroy(back);
    ps_episode_state_free_bytes(bytes);
    ps_episode_end(ea);
    ps_episode_end(eb);
    ps_scene_destroy(a);
    ps_scene_destroy(b);
}

static void test_fresh_episode(void)
{
    // The UR5 with harmonic-drive armature and an IK-following gripper arm.
    fresh_roundtrip(PILOTSIM_SOURCE_DIR "/scenes/pilot/manufacturing_assembly.lua", 1, 20, 40);
    // Another arm cell (robots.arm6, vacuum tool).
    fresh_roundtrip(PILOTSIM_SOURCE_DIR "/scenes/pilot/manufacturing_machine_tending.lua", 2, 30, 40);
}

static void test_pile(void) { roundtrip(PILOTSIM_SOURCE_DIR "/tests/scenes/random_pile.lua", 7, 80, 150); }

static void test_pilot_scene(void)
{
    // A service robot with a noisy 2D lidar, cups on its tray, diners walking.
    roundtrip(PILOTSIM_SOURCE_DIR "/scenes/pilot/restaurant_tray_delivery.lua", 3, 400, 600);
    // A crawler on a heightfield in dust: lidar attenuation and spurious returns, IMU.
    roundtrip(PILOTSIM_SOURCE_DIR "/scenes/pilot/underground_tunnel_inspection.lua", 5, 300, 500);
}

static const char *COUNTER =
    "local ball\n"
    "return { name = 'counter', timestep = 0.01, time_limit = 100,\n"
    "  build = function(world, ctx)\n"
    "    world:geom{type = 'plane'}\n"
    "    ball = world:body{pos = {0, 0, 1}, mass = 1}\n"
    "    ball:geom{type = 'sphere', radius = 0.1}\n"
    "    ctx.state.n = 0\n"
    "    ctx.state.log = {}\n"
    "    ctx.state.keep = {tag = 'x'}\n"
    "  end,\n"
    "  step = function(ctx)\n"
    "    ctx.state.n = ctx.state.n + 1\n"
    "    ctx.state.r = math.random()\n"
    "    if ctx.step % 10 == 0 then ctx.state.log[#ctx.state.log + 1] = ctx.state.r end\n"
    "    if ctx.state.bad then ctx.state.body = ball end\n"
    "  end,\n"
    "  reward = function(ctx) return ctx.state.r end,\n"
    "  metrics = function(ctx) return {n = ctx.state.n, logged = #ctx.state.log} end,\n"
    "}\n";

static double metric(ps_episode *e, const char *name)
{
    const char *const *names;
    const double *values;
    char merr[PS_ERR_LEN];
    int n = ps_episode_metrics(e, &names, &values, merr, sizeof merr);
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return values[i];
    return -1;
}

static void test_lua_state_and_refusals(void)
{
    FILE *f = fopen("state_counter.lua", "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(COUNTER, f);
    fclose(f);
    ps_scene *s = load("state_counter.lua");
    CHECK(s != NULL);
    if (!s) return;
    ps_episode *e = ps_episode_begin(s, 11);
    drive(e, 35);
    ps_episode_state *st = ps_episode_state_create();
    CHECK(ps_episode_save_state(e, st, err, sizeof err) == PS_OK);
    drive(e, 40);
    double n1 = metric(e, "n"), l1 = metric(e, "logged"), r1 = ps_episode_return(e);
    CHECK(n1 == 75);
    CHECK(ps_episode_restore_state(e, st, err, sizeof err) == PS_OK);
    CHECK(metric(e, "n") == 35);
    CHECK(metric(e, "logged") == 4); // at ctx.step 0, 10, 20 and 30
    drive(e, 40);
    CHECK(metric(e, "n") == n1);
    CHECK(metric(e, "logged") == l1);
    CHECK(ps_episode_return(e) == r1); // math.random continued from the same RNG state

    // A structural change (a new body) makes the saved world state unusable.
    ps_body_def bd = ps_default_body_def();
    bd.name = "late";
    CHECK(ps_body_is_set(ps_body_create(ps_episode_world(e), &bd)));
    CHECK(ps_episode_restore_state(e, st, err, sizeof err) == PS_ERR_STATE);
    CHECK(strstr(err, "differ") != NULL);
    ps_episode_end(e);

    // Another episode of the same scene: refused.
    e = ps_episode_begin(s, 12);
    CHECK(ps_episode_restore_state(e, st, err, sizeof err) == PS_ERR_STATE);
    CHECK(strstr(err, "another episode") != NULL);
    ps_episode_state *empty = ps_episode_state_create();
    CHECK(ps_episode_restore_state(e, empty, err, sizeof err) == PS_ERR_INVALID);
    ps_episode_state_destroy(empty);
    ps_episode_end(e);
    ps_episode_state_destroy(st);
    ps_scene_destroy(s);

    // ctx.state holding a Body: save names the key and refuses.
    f = fopen("state_bad.lua", "w");
    fputs("local b\nreturn { name = 'bad', timestep = 0.01, time_limit = 1,\n"
          "  build = function(world, ctx) b = world:body{pos = {0, 0, 1}, mass = 1}\n"
          "    ctx.state.inner = {body = b} end }\n",
          f);
    fclose(f);
    s = load("state_bad.lua");
    CHECK(s != NULL);
    if (!s) return;
    e = ps_episode_begin(s, 1);
    st = ps_episode_state_create();
    CHECK(ps_episode_save_state(e, st, err, sizeof err) == PS_ERR_INVALID);
    CHECK(strstr(err, "ctx.state.inner.body") != NULL);
    CHECK(strstr(err, "not plain data") != NULL);
    ps_episode_state_destroy(st);
    ps_episode_end(e);
    ps_scene_destroy(s);
    remove("state_counter.lua");
    remove("state_bad.lua");
}

// World-level state: a bare world restored in place gives the same hash later.
static void test_world_state(void)
{
    ps_world_def wd = ps_default_world_def();
    ps_world *w = ps_world_create(&wd, NULL, 0);
    ps_geom_def plane = ps_default_geom_def(PS_GEOM_PLANE);
    plane.plane[2] = 1;
    ps_geom_create(w, PS_BODY_NONE, &plane);
    for (int i = 0; i < 5; i++) {
        ps_body_def bd = ps_default_body_def();
        bd.pose.p = (ps_vec3){0.05 * i, 0, 0.3 + 0.25 * i};
        ps_body_id b = ps_body_create(w, &bd);
        ps_geom_def g = ps_default_geom_def(PS_GEOM_BOX);
        g.size = (ps_vec3){0.2, 0.2, 0.2};
        ps_geom_create(w, b, &g);
    }
    for (int i = 0; i < 100; i++) ps_world_step(w);
    ps_world_state *st = ps_world_state_create();
    CHECK(ps_world_save_state(w, st) == PS_OK);
    CHECK(ps_world_state_size(st) > 0);
    double t0 = ps_world_time(w);
    for (int i = 0; i < 300; i++) ps_world_step(w);
    uint64_t h1 = ps_world_state_hash(w);
    size_t nc1;
    ps_world_contacts(w, &nc1);
    CHECK(ps_world_restore_state(w, st) == PS_OK);
    CHECK(ps_world_time(w) == t0);
    CHECK(ps_world_step_count(w) == 100);
    for (int i = 0; i < 300; i++) ps_world_step(w);
    CHECK(ps_world_state_hash(w) == h1);
    size_t nc2;
    ps_world_contacts(w, &nc2);
    CHECK(nc1 == nc2);
    ps_world_state *empty = ps_world_state_create();
    CHECK(ps_world_restore_state(w, empty) == PS_ERR_INVALID);
    ps_world_state_destroy(empty);
    ps_world_state_destroy(st);
    ps_world_destroy(w);
}

// Bytes: a state serialized from one scene instance restores into an episode of
// a second instance of the same file and seed (as another process would) and
// continues bit for bit; damaged, truncated, other-seed and other-params bytes
// are refused without touching the episode.
static void test_state_bytes(void)
{
    const char *path = PILOTSIM_SOURCE_DIR "/scenes/pilot/restaurant_tray_delivery.lua";
    ps_scene *a = load(path), *b = load(path);
    CHECK(a && b);
    if (!a || !b) return;
    ps_episode *ea = ps_episode_begin(a, 9);
    drive(ea, 150);
    ps_episode_state *st = ps_episode_state_create();
    CHECK(ps_episode_save_state(ea, st, err, sizeof err) == PS_OK);
    void *bytes = NULL;
    size_t len = 0;
    CHECK(ps_episode_state_serialize(st, &bytes, &len) == PS_OK && bytes && len > 0);
    ps_episode_state_destroy(st);
    where saved = at(ea);
    drive(ea, 200);
    where first = at(ea);
    ps_episode_end(ea);
    ps_scene_destroy(a);   // the bytes outlive the scene they came from

    ps_episode_state *back = ps_episode_state_deserialize(bytes, len, err, sizeof err);
    CHECK(back != NULL);
    CHECK(ps_episode_state_seed(back) == 9);
    ps_episode *other_seed = ps_episode_begin(b, 10);
    where before = at(other_seed);
    CHECK(ps_episode_restore_state(other_seed, back, err, sizeof err) == PS_ERR_STATE);
    CHECK(strstr(err, "another seed") != NULL);
    CHECK(same(at(other_seed), before));
    ps_episode_end(other_seed);
    ps_episode *eb = ps_episode_begin(b, 9);
    CHECK(ps_episode_restore_state(eb, back, err, sizeof err) == PS_OK);
    CHECK(same(at(eb), saved));
    drive(eb, 200);
    CHECK(same(at(eb), first));
    ps_episode_state_destroy(back);

    // Damaged bytes: truncated, a wrong magic, one non-zero byte too many; zero
    // padding after the bytes (a dataset row) is fine.
    unsigned char *copy = malloc(len + 1);
    memcpy(copy, bytes, len);
    CHECK(ps_episode_state_deserialize(copy, len - 1, err, sizeof err) == NULL && strstr(err, "truncated"));
    copy[0] ^= 0xff;
    CHECK(ps_episode_state_deserialize(copy, len, err, sizeof err) == NULL && strstr(err, "not a pilotsim"));
    copy[0] ^= 0xff;
    copy[len] = 1;
    CHECK(ps_episode_state_deserialize(copy, len + 1, err, sizeof err) == NULL);
    copy[len] = 0;
    back = ps_episode_state_deserialize(copy, len + 1, err, sizeof err);
    CHECK(back != NULL);
    ps_episode_state_destroy(back);
    CHECK(ps_episode_state_deserialize(NULL, 0, err, sizeof err) == NULL);
    free(copy);
    ps_episode_end(eb);
    ps_scene_destroy(b);

    // Other params: a different world for the same seed.
    const char *mods[] = {PILOTSIM_SOURCE_DIR "/scripts"};
    const char *params[] = {"cup_mass=0.3"};   // same structure, another world
    ps_scene_options o = ps_default_scene_options();
    o.module_paths = mods;
    o.module_path_count = 1;
    o.params = params;
    o.param_count = 1;
    ps_scene *c = ps_scene_load(path, &o, err, sizeof err);
    if (!c) NOTE("load with %s: %s", params[0], err);
    if (c) {
        ps_episode *ec = ps_episode_begin(c, 9);
        back = ps_episode_state_deserialize(bytes, len, err, sizeof err);
        CHECK(ps_episode_restore_state(ec, back, err, sizeof err) == PS_ERR_STATE);
        CHECK(strstr(err, "params differ") != NULL);
        ps_episode_state_destroy(back);
        ps_episode_end(ec);
        ps_scene_destroy(c);
    }
    CHECK(ps_episode_state_serialize(NULL, &bytes, &len) == PS_ERR_INVALID);
    ps_episode_state *empty = ps_episode_state_create();
    void *none = NULL;
    CHECK(ps_episode_state_serialize(empty, &none, &len) == PS_ERR_INVALID && none == NULL);
    ps_episode_state_destroy(empty);
    ps_episode_state_free_bytes(bytes);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the scene files these tests write go there
    RUN(test_world_state);
    RUN(test_pile);
    RUN(test_pilot_scene);
    RUN(test_lua_state_and_refusals);
    RUN(test_state_bytes);
    RUN(test_fresh_episode);
    return TEST_DONE();
}
