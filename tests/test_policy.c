// Policies: Lua files and modules, C shared libraries (the ABI), errors.
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PS_TEST_POLICY_LIB
#define PS_TEST_POLICY_LIB "libpd_policy.so"
#endif

static char err[PS_ERR_LEN];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) exit(2);
    fputs(text, f);
    fclose(f);
}

// A 1 kg cart at x = 1 with a force action; success when it is brought to rest at 0.
static const char *CART =
    "local cart\n"
    "return { name = 'cart', timestep = 0.01, time_limit = 5,\n"
    "  observation = { x = {shape = {2}, fn = function(ctx, out) local x = cart:pos() local v = cart:linvel() out[1] = x out[2] = v end} },\n"
    "  action = { force = {shape = {1}, low = -20, high = 20} },\n"
    "  build = function(world, ctx) cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false} end,\n"
    "  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,\n"
    "  success = function(ctx) local x = cart:pos() local v = cart:linvel() return math.abs(x) < 0.01 and math.abs(v) < 0.01 end,\n"
    "}\n";

static ps_episode_status run_with(const char *spec, char *msg, size_t n, uint64_t *steps)
{
    ps_scene *s = ps_scene_load("cart.lua", NULL, err, sizeof err);
    if (!s) {
        snprintf(msg, n, "%s", err);
        return PS_EP_RUNNING;
    }
    ps_policy_options po = ps_default_policy_options();
    const char *mods[] = {"."};
    po.module_paths = mods;
    po.module_path_count = 1;
    ps_policy *p = ps_policy_open(spec, &po, err, sizeof err);
    if (!p) {
        snprintf(msg, n, "open: %.4000s", err);
        ps_scene_destroy(s);
        return PS_EP_RUNNING;
    }
    ps_episode_status st = PS_EP_RUNNING;
    for (int ep = 0; ep < 2; ep++) { // one policy serves episodes in turn
        ps_episode *e = ps_episode_begin(s, (uint64_t)ep);
        st = ps_episode_run_policy(e, p, (uint64_t)ep, 0);
        snprintf(msg, n, "%s", ps_episode_message(e));
        if (steps) *steps = ps_episode_steps(e);
        ps_episode_end(e);
    }
    ps_policy_close(p);
    ps_scene_destroy(s);
    return st;
}

static void test_lua_policy(void)
{
    write_file("cart.lua", CART);
    write_file("pd.lua", "local kp, kd\nreturn {\n reset = function(spec, seed) assert(spec.action.force.low[1] == -20) kp, kd = 20, 8 end,\n"
                         " act = function(obs, action) action.force[1] = -kp * obs.x[1] - kd * obs.x[2] end }\n");
    char msg[4096];
    uint64_t steps = 0;
    CHECK_EQ(run_with("pd.lua", msg, sizeof msg, &steps), PS_EP_SUCCESS);
    CHECK(steps > 50 && steps < 400);
    // A module name resolves under the module paths.
    system("mkdir -p policies && cp pd.lua policies/pd_mod.lua");
    CHECK_EQ(run_with("policies.pd_mod", msg, sizeof msg, NULL), PS_EP_SUCCESS);
    // Errors: missing file, no act, a runtime error (file:line, the step), a
    // write to an observation.
    CHECK_EQ(run_with("nope.lua", msg, sizeof msg, NULL), PS_EP_RUNNING);
    CHECK_HAS(msg, "policy 'nope.lua': no such Lua file");
    write_file("noact.lua", "return {}\n");
    CHECK_EQ(run_with("noact.lua", msg, sizeof msg, NULL), PS_EP_RUNNING);
    CHECK_HAS(msg, "must return a table with act");
    write_file("boom.lua", "return {\n act = function(obs, action)\n error('boom') end }\n");
    CHECK_EQ(run_with("boom.lua", msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "policy 'boom.lua' at step 0");
    CHECK_HAS(msg, "boom.lua:3: boom");
    write_file("ro.lua", "return { act = function(obs, action) obs.x[1] = 0 end }\n");
    CHECK_EQ(run_with("ro.lua", msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "read-only");
    // The policy's sandbox: no os.
    write_file("escape.lua", "return { act = function(obs, action) os.execute('true') end }\n");
    CHECK_EQ(run_with("escape.lua", msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
}

// ps_episode_run_hooked: hooks in order around every step, the same states as
// ps_episode_run_policy, and a NULL policy runs as ps_episode_run.
typedef struct hook_log {
    int starts, before, after;
    bool order_ok;
    uint64_t hash_before; // XOR of the world's hash seen by every `before`
} hook_log;

static void on_start(void *ctx, ps_episode *e)
{
    hook_log *h = ctx;
    h->starts++;
    if (h->before || ps_episode_steps(e) != 0) h->order_ok = false;
}

static void on_before(void *ctx, ps_episode *e)
{
    hook_log *h = ctx;
    if (h->starts != 1 || h->before != h->after || ps_episode_steps(e) != (uint64_t)h->before) h->order_ok = false;
    h->before++;
    h->hash_before ^= ps_world_state_hash(ps_episode_world(e)) + (uint64_t)h->before;
}

static void on_after(void *ctx, ps_episode *e)
{
    hook_log *h = ctx;
    h->after++;
    if (h->after != h->before || ps_episode_steps(e) != (uint64_t)h->after) h->order_ok = false;
}

static void test_hooked_run(void)
{
    write_file("cart.lua", CART);
    write_file("pd_hook.lua", "return { act = function(obs, action) action.force[1] = -20 * obs.x[1] - 8 * obs.x[2] end }\n");
    ps_scene *s = ps_scene_load("cart.lua", NULL, err, sizeof err);
    ps_policy_options po = ps_default_policy_options();
    ps_policy *p = s ? ps_policy_open("pd_hook.lua", &po, err, sizeof err) : NULL;
    if (!CHECK(s && p)) {
        NOTE("%s", err);
        ps_scene_destroy(s);
        return;
    }
    uint64_t plain_hash = 0, plain_steps = 0;
    {
        ps_episode *e = ps_episode_begin(s, 7);
        CHECK_EQ(ps_episode_run_policy(e, p, 7, 0), PS_EP_SUCCESS);
        plain_hash = ps_world_state_hash(ps_episode_world(e));
        plain_steps = ps_episode_steps(e);
        ps_episode_end(e);
    }
    hook_log h = {.order_ok = true};
    const ps_step_hooks hooks = {on_start, on_before, on_after, &h};
    ps_episode *e = ps_episode_begin(s, 7);
    CHECK_EQ(ps_episode_run_hooked(e, p, 7, 0, &hooks), PS_EP_SUCCESS);
    CHECK_EQ(ps_world_state_hash(ps_episode_world(e)), plain_hash);
    CHECK_EQ(ps_episode_steps(e), plain_steps);
    CHECK_EQ(h.starts, 1);
    CHECK_EQ((uint64_t)h.before, plain_steps);
    CHECK_EQ(h.after, h.before);
    CHECK(h.order_ok);
    ps_episode_end(e);
    // No policy, a step limit: as ps_episode_run.
    e = ps_episode_begin(s, 7);
    CHECK_EQ(ps_episode_run(e, 20), PS_EP_TIMEOUT);
    uint64_t run_hash = ps_world_state_hash(ps_episode_world(e));
    ps_episode_end(e);
    h = (hook_log){.order_ok = true};
    e = ps_episode_begin(s, 7);
    CHECK_EQ(ps_episode_run_hooked(e, NULL, 7, 20, &hooks), PS_EP_TIMEOUT);
    CHECK_EQ(ps_world_state_hash(ps_episode_world(e)), run_hash);
    CHECK_EQ(h.before, 20);
    CHECK(h.order_ok);
    ps_episode_end(e);
    // NULL hooks; an episode that already ended gets no hook at all.
    e = ps_episode_begin(s, 7);
    CHECK_EQ(ps_episode_run_hooked(e, p, 7, 0, NULL), PS_EP_SUCCESS);
    h = (hook_log){.order_ok = true};
    CHECK_EQ(ps_episode_run_hooked(e, p, 7, 0, &hooks), PS_EP_SUCCESS);
    CHECK_EQ(h.starts + h.before + h.after, 0);
    ps_episode_end(e);
    ps_policy_close(p);
    ps_scene_destroy(s);
}

static void test_lib_policy(void)
{
    write_file("cart.lua", CART);
    char msg[4096], spec[4200];
    snprintf(spec, sizeof spec, "lib:%s", PS_TEST_POLICY_LIB);
    CHECK_EQ(run_with(spec, msg, sizeof msg, NULL), PS_EP_SUCCESS);
    snprintf(spec, sizeof spec, "lib:%s?kp=30;kd=10", PS_TEST_POLICY_LIB);
    CHECK_EQ(run_with(spec, msg, sizeof msg, NULL), PS_EP_SUCCESS);
    snprintf(spec, sizeof spec, "lib:%s?fail", PS_TEST_POLICY_LIB);
    CHECK_EQ(run_with(spec, msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "asked to fail");
    snprintf(spec, sizeof spec, "lib:%s?bogus", PS_TEST_POLICY_LIB);
    CHECK_EQ(run_with(spec, msg, sizeof msg, NULL), PS_EP_RUNNING);
    CHECK_HAS(msg, "create failed: bad config 'bogus'");
    CHECK_EQ(run_with("lib:/nonexistent/libx.so", msg, sizeof msg, NULL), PS_EP_RUNNING);
    CHECK_HAS(msg, "cannot load");
    // Remote kinds are tested in test_policy_remote.c; a peer that exits at once:
    CHECK_EQ(run_with("exec:true", msg, sizeof msg, NULL), PS_EP_POLICY_ERROR);
    CHECK_HAS(msg, "exited with status 0");
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_lua_policy);
    RUN(test_lib_policy);
    RUN(test_hooked_run);
    return TEST_DONE();
}
