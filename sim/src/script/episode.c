// Episodes: a fresh world per episode, the step loop's callbacks, and results.
#include "scene_internal.h"
#include "log_internal.h"
#include "util.h"
#include "pilotsim/robot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ps_episode {
    ps_scene *scene;
    ps_world *world;
    ps_episode_status status;
    uint64_t seed;
    uint64_t steps, step_limit;
    double ret;
    int ctx_ref;
    ps_space_rt *space;    // observation and action buffers
    char *instruction;     // the episode's instruction ("" when none)
    char message[PS_ERR_LEN];
    double *param_values;  // this episode's value of each param (randomized ones drawn), NULL before build
    // metrics storage (filled by ps_episode_metrics)
    char **metric_names;
    double *metric_values;
    int metric_count;
    bool manual;           // ps_episode_set_manual: actions and act() skipped, robot commands kept
    double *manual_cmd;    // the commands kept while the scene's step() runs
    size_t manual_cap;
    double lua_seconds;    // wall time of steps outside ps_world_step (profiling)
};

const char *ps_episode_status_name(ps_episode_status s)
{
    switch (s) {
    case PS_EP_RUNNING: return "running";
    case PS_EP_SUCCESS: return "success";
    case PS_EP_FAILURE: return "failure";
    case PS_EP_TIMEOUT: return "timeout";
    case PS_EP_DIVERGED: return "physics_diverged";
    case PS_EP_SCRIPT_ERROR: return "script_error";
    case PS_EP_POLICY_ERROR: return "policy_error";
    }
    return "?";
}

static void push_params(lua_State *L, ps_scene *s, ps_rng *rng, double *values)
{
    lua_createtable(L, 0, (int)s->param_count);
    for (size_t i = 0; i < s->param_count; i++) {
        const ps_param *p = &s->params[i];
        double v = p->num;
        // Domain randomization: drawn in name order from the episode RNG.
        if (p->randomize && !p->overridden) {
            if (p->type == PS_PARAM_INTEGER) v = (double)ps_rng_range(rng, (int64_t)ceil(p->min), (int64_t)floor(p->max));
            else v = p->min + (p->max - p->min) * ps_rng_uniform(rng);
        }
        if (values) values[i] = v;
        switch (p->type) {
        case PS_PARAM_NUMBER: lua_pushnumber(L, v); break;
        case PS_PARAM_INTEGER: lua_pushinteger(L, (lua_Integer)v); break;
        case PS_PARAM_BOOLEAN: lua_pushboolean(L, v != 0); break;
        case PS_PARAM_STRING: lua_pushstring(L, p->str); break;
        }
        lua_setfield(L, -2, p->name);
    }
}

static void end_with(ps_episode *e, ps_episode_status st, const char *msg)
{
    e->status = st;
    snprintf(e->message, sizeof e->message, "%s", msg ? msg : "");
}

// Calls callback `cb` with ctx; leaves `nres` results on the stack on success.
static bool call_cb(ps_episode *e, int cb, int extra_world_arg, int nres)
{
    ps_lua_rt *rt = e->scene->rt;
    lua_State *L = rt->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->scene->cb_ref[cb]);
    int nargs = 1;
    if (extra_world_arg) {
        ps_lua_push_world(L);
        nargs = 2;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->ctx_ref);
    char err[PS_ERR_LEN];
    if (!ps_lua_call(rt, nargs, nres, ps_callback_names[cb], err, sizeof err)) {
        char msg[sizeof e->message];
        ps_msgf(msg, sizeof msg, "in %s(): %s", ps_callback_names[cb], err);
        end_with(e, PS_EP_SCRIPT_ERROR, msg);
        return false;
    }
    return true;
}

// ctx.params of the episode, pushed (the caller pops it).
static int ctx_index_params(lua_State *L, ps_episode *e)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->ctx_ref);
    ps_lua_rawfield(L, -1, "params"); // raw: the scene may have given ctx metamethods
    lua_remove(L, -2);
    return lua_gettop(L);
}

// Sets e->instruction and ctx.instruction from the scene's `instruction`;
// pops the params table at `params`. The function form runs on an RNG of its
// own (seeded from the episode seed), then the episode's RNG is put back.
static bool episode_instruction(ps_episode *e, int params)
{
    ps_scene *s = e->scene;
    lua_State *L = s->rt->L;
    const char *text = s->instruction ? s->instruction : "";
    bool ok = true;
    if (s->instruction_ref != LUA_NOREF) {
        ps_rng saved = s->rt->rng;
        ps_rng_seed(&s->rt->rng, ps_seed_mix(e->seed, 0x696e73747275ULL)); // "instru"
        lua_rawgeti(L, LUA_REGISTRYINDEX, s->instruction_ref);
        lua_pushvalue(L, params);
        lua_pushinteger(L, (lua_Integer)e->seed);
        char err[PS_ERR_LEN];
        ok = ps_lua_call(s->rt, 2, 1, "instruction", err, sizeof err);
        s->rt->rng = saved;
        if (!ok) {
            char msg[sizeof e->message];
            ps_msgf(msg, sizeof msg, "in instruction(): %s", err);
            end_with(e, PS_EP_SCRIPT_ERROR, msg);
        } else if (lua_type(L, -1) != LUA_TSTRING) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s: instruction(params, seed) must return a string, got %s", s->path,
                     luaL_typename(L, -1));
            end_with(e, PS_EP_SCRIPT_ERROR, msg);
            lua_pop(L, 1);
            ok = false;
        } else {
            text = lua_tostring(L, -1);
        }
    }
    if (ok) {
        size_t n = strlen(text) + 1;
        e->instruction = malloc(n);
        if (e->instruction) memcpy(e->instruction, text, n);
        else {
            end_with(e, PS_EP_SCRIPT_ERROR, "out of memory");
            ok = false;
        }
    }
    if (ok) {
        if (s->instruction_ref != LUA_NOREF) lua_pop(L, 1);
        lua_rawgeti(L, LUA_REGISTRYINDEX, e->ctx_ref);
        lua_pushstring(L, e->instruction);
        ps_lua_rawsetfield(L, -2, "instruction");
        lua_pop(L, 1);
    }
    lua_settop(L, params - 1);
    return ok;
}

ps_episode *ps_episode_begin(ps_scene *s, uint64_t seed)
{
    ps_episode *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    ps_lua_rt *rt = s->rt;
    lua_State *L = rt->L;
    e->scene = s;
    e->seed = seed;
    e->ctx_ref = LUA_NOREF;
    e->status = PS_EP_RUNNING;
    double n = s->time_limit / s->timestep;
    e->step_limit = (uint64_t)ceil(n - 1e-9 * n);
    if (e->step_limit == 0) e->step_limit = 1;

    rt->serial++;
    ps_rng_seed(&rt->rng, ps_seed_mix(seed, 0x6570697364ULL)); // "episd"
    ps_world_def wd = s->world_def;
    wd.seed = ps_seed_mix(seed, 0x736f6c766572ULL); // "solver"
    char err[PS_ERR_LEN];
    e->world = ps_world_create(&wd, err, sizeof err);
    if (!e->world) {
        end_with(e, PS_EP_SCRIPT_ERROR, err);
        return e;
    }
    if (s->render_fn) ps_world_set_render_callback(e->world, s->render_fn, s->render_user);
    if (s->render_fn) ps_world_set_render_error_fn(e->world, s->render_error);
    rt->world = e->world;
    s->episode_open = true;

    lua_createtable(L, 0, 8);
    ps_lua_push_world(L);
    lua_setfield(L, -2, "world");
    e->param_values = s->param_count ? calloc(s->param_count, sizeof *e->param_values) : NULL;
    push_params(L, s, &rt->rng, e->param_values);
    lua_setfield(L, -2, "params");
    lua_newtable(L);
    lua_setfield(L, -2, "state");
    lua_pushnumber(L, 0);
    lua_setfield(L, -2, "t");
    lua_pushinteger(L, 0);
    lua_setfield(L, -2, "step");
    lua_pushnumber(L, s->timestep);
    lua_setfield(L, -2, "dt");
    lua_pushinteger(L, (lua_Integer)seed);
    lua_setfield(L, -2, "seed");
    e->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);

    if (!episode_instruction(e, ctx_index_params(L, e))) return e;
    if (!call_cb(e, PS_CB_BUILD, 1, 0)) return e;
    ps_scene_lint_build(s, e->ctx_ref);
    // A dynamic body without mass is a scene error; say so before stepping.
    if (ps_world_validate(e->world) != PS_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: build: %s", s->path, ps_world_last_error(e->world));
        end_with(e, PS_EP_SCRIPT_ERROR, msg);
        return e;
    }
    char serr[PS_ERR_LEN];
    e->space = ps_space_begin(s, e->world, e->ctx_ref, serr, sizeof serr);
    if (!e->space || !ps_space_observe(s, e->space, serr, sizeof serr)) {
        char msg[sizeof e->message];
        ps_msgf(msg, sizeof msg, "%s: %s", s->path, e->space ? serr : serr[0] ? serr : "out of memory");
        end_with(e, PS_EP_SCRIPT_ERROR, msg);
    }
    return e;
}

void ps_episode_end(ps_episode *e)
{
    if (!e) return;
    ps_lua_rt *rt = e->scene->rt;
    ps_space_end(rt->L, e->space);
    if (e->ctx_ref != LUA_NOREF) luaL_unref(rt->L, LUA_REGISTRYINDEX, e->ctx_ref);
    if (rt->world == e->world) {
        rt->world = NULL;
        rt->serial++; // handles of this episode become stale
    }
    ps_world_destroy(e->world);
    e->scene->episode_open = false;
    for (int i = 0; i < e->metric_count; i++) free(e->metric_names[i]);
    free(e->metric_names);
    free(e->metric_values);
    free(e->param_values);
    free(e->instruction);
    free(e->manual_cmd);
    lua_gc(rt->L, LUA_GCCOLLECT);
    free(e);
}

static void set_clock(lua_State *L, int ctx, const ps_episode *e)
{
    lua_pushnumber(L, ps_world_time(e->world));
    ps_lua_rawsetfield(L, ctx, "t");
    lua_pushinteger(L, (lua_Integer)e->steps);
    ps_lua_rawsetfield(L, ctx, "step");
}

// Manual control: every robot's commands, saved before the scene's step()
// runs (`restore` false) and put back after it (true), so that only the
// viewer's sliders move the robots.
static void manual_commands(ps_episode *e, bool restore)
{
    ps_world *w = e->world;
    size_t n = 0;
    for (size_t r = 0; r < ps_world_robot_count(w); r++) n += ps_robot_joint_count(w, ps_world_robot_at(w, r));
    if (!restore && n > e->manual_cap) {
        double *c = realloc(e->manual_cmd, n * sizeof *c);
        if (!c) return;
        e->manual_cmd = c;
        e->manual_cap = n;
    }
    if (n > e->manual_cap) return;
    size_t k = 0;
    for (size_t ri = 0; ri < ps_world_robot_count(w); ri++) {
        ps_robot_id r = ps_world_robot_at(w, ri);
        for (size_t j = 0; j < ps_robot_joint_count(w, r); j++, k++) {
            if (restore) ps_robot_set_command(w, r, j, e->manual_cmd[k]);
            else e->manual_cmd[k] = ps_robot_command(w, r, j);
        }
    }
}

ps_episode_status ps_episode_step(ps_episode *e, uint64_t max_steps)
{
    if (e->status != PS_EP_RUNNING) return e->status;
    bool timing = ps_world_timing(e->world); // profiling: off unless a profiler turned it on
    double t_begin = timing ? ps_monotonic_s() : 0, t_world = 0;
    ps_scene *s = e->scene;
    lua_State *L = s->rt->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->ctx_ref);
    int ctx = lua_gettop(L);
    set_clock(L, ctx, e);
    char serr[PS_ERR_LEN];
    if (e->manual) goto scene_step; // commands as the viewer's sliders set them
    if (!ps_space_apply_actions(s, e->space, serr, sizeof serr)) {
        char msg[sizeof e->message];
        ps_msgf(msg, sizeof msg, "%s: step %llu: %s", s->path, (unsigned long long)e->steps + 1, serr);
        end_with(e, PS_EP_SCRIPT_ERROR, msg);
        goto out;
    }
    if (s->cb_ref[PS_CB_ACT] != LUA_NOREF) {
        // act(ctx, action): the scene maps the policy's action onto its world.
        lua_rawgeti(L, LUA_REGISTRYINDEX, s->cb_ref[PS_CB_ACT]);
        lua_pushvalue(L, ctx);
        ps_lua_rawfield(L, ctx, "action");
        char err[PS_ERR_LEN];
        if (!ps_lua_call(s->rt, 2, 0, "act", err, sizeof err)) {
            char msg[sizeof e->message];
            ps_msgf(msg, sizeof msg, "in act(): %s", err);
            end_with(e, PS_EP_SCRIPT_ERROR, msg);
            goto out;
        }
    }
scene_step:
    if (e->manual) manual_commands(e, false);
    if (s->cb_ref[PS_CB_STEP] != LUA_NOREF && !call_cb(e, PS_CB_STEP, 0, 0)) goto out;
    if (e->manual) manual_commands(e, true);

    double tw0, tw1; // the world times its own step: no second pair of clock reads here
    ps_world_step_seconds(e->world, &tw0, NULL);
    ps_status st = ps_world_step(e->world);
    ps_world_step_seconds(e->world, &tw1, NULL);
    t_world = tw1 - tw0;
    if (st == PS_ERR_DIVERGED) {
        end_with(e, PS_EP_DIVERGED, ps_world_divergence(e->world));
        goto out;
    }
    if (st != PS_OK) {
        char msg[700];
        snprintf(msg, sizeof msg, "%s: step %llu: %s", s->path, (unsigned long long)e->steps + 1,
                 ps_world_last_error(e->world));
        end_with(e, PS_EP_SCRIPT_ERROR, msg);
        goto out;
    }
    e->steps++;
    set_clock(L, ctx, e);
    if (!ps_space_observe(s, e->space, serr, sizeof serr)) {
        char msg[sizeof e->message];
        ps_msgf(msg, sizeof msg, "%s: step %llu: %s", s->path, (unsigned long long)e->steps, serr);
        end_with(e, PS_EP_SCRIPT_ERROR, msg);
        goto out;
    }

    if (s->cb_ref[PS_CB_REWARD] != LUA_NOREF) {
        if (!call_cb(e, PS_CB_REWARD, 0, 1)) goto out;
        int isnum = 0;
        double r = lua_tonumberx(L, -1, &isnum);
        if (!isnum || !isfinite(r)) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s: reward() must return a finite number, got %s", s->path,
                     isnum ? "a non-finite number" : luaL_typename(L, -1));
            lua_pop(L, 1);
            end_with(e, PS_EP_SCRIPT_ERROR, msg);
            goto out;
        }
        lua_pop(L, 1);
        e->ret += r;
    }
    if (s->cb_ref[PS_CB_FAILURE] != LUA_NOREF) {
        if (!call_cb(e, PS_CB_FAILURE, 0, 2)) goto out;
        if (lua_toboolean(L, -2)) {
            const char *why = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "failure() returned true";
            end_with(e, PS_EP_FAILURE, why);
        }
        lua_pop(L, 2);
        if (e->status != PS_EP_RUNNING) goto out;
    }
    if (s->cb_ref[PS_CB_SUCCESS] != LUA_NOREF) {
        if (!call_cb(e, PS_CB_SUCCESS, 0, 1)) goto out;
        if (lua_toboolean(L, -1)) end_with(e, PS_EP_SUCCESS, "");
        lua_pop(L, 1);
        if (e->status != PS_EP_RUNNING) goto out;
    }
    uint64_t limit = max_steps ? max_steps : e->step_limit;
    if (e->steps >= limit) end_with(e, PS_EP_TIMEOUT, max_steps ? "reached the step limit" : "reached the time limit");
out:
    lua_settop(L, ctx - 1);
    if (timing) e->lua_seconds += ps_monotonic_s() - t_begin - t_world;
    return e->status;
}

double ps_episode_lua_seconds(const ps_episode *e) { return e->lua_seconds; }

void ps_episode_set_manual(ps_episode *e, bool on) { e->manual = on; }
bool ps_episode_manual(const ps_episode *e) { return e->manual; }

ps_episode_status ps_episode_run(ps_episode *e, uint64_t max_steps)
{
    while (ps_episode_step(e, max_steps) == PS_EP_RUNNING) {
    }
    return e->status;
}

ps_episode_status ps_episode_get_status(const ps_episode *e) { return e->status; }
ps_world *ps_episode_world(ps_episode *e) { return e->world; }
ps_episode_status ps_episode_step_repeat(ps_episode *e, uint64_t max_steps, int repeat, ps_episode_progress *out)
{
    int taken = 0;
    ps_episode_status st = e->status;
    while (st == PS_EP_RUNNING && taken < (repeat < 1 ? 1 : repeat)) {
        st = ps_episode_step(e, max_steps);
        taken++;
    }
    *out = (ps_episode_progress){e->steps, e->world ? ps_world_state_hash(e->world) : 0,
                                 e->world ? ps_world_time(e->world) : 0.0, e->ret, (int)st, taken};
    return st;
}

uint64_t ps_episode_steps(const ps_episode *e) { return e->steps; }
double ps_episode_timestep(const ps_episode *e) { return ps_scene_timestep(e->scene); }
double ps_episode_return(const ps_episode *e) { return e->ret; }
const char *ps_episode_message(const ps_episode *e) { return e->message; }
ps_scene *ps_episode_scene(ps_episode *e) { return e->scene; }
const char *ps_episode_instruction(const ps_episode *e) { return e->instruction ? e->instruction : ""; }

static int cmp_metric(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ps_episode_metrics(ps_episode *e, const char *const **names, const double **values, char *err, size_t errlen)
{
    for (int i = 0; i < e->metric_count; i++) free(e->metric_names[i]);
    e->metric_count = 0;
    *names = NULL;
    *values = NULL;
    ps_scene *s = e->scene;
    if (s->cb_ref[PS_CB_METRICS] == LUA_NOREF || !e->world || e->ctx_ref == LUA_NOREF) return 0;
    lua_State *L = s->rt->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->cb_ref[PS_CB_METRICS]);
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->ctx_ref);
    if (!ps_lua_call(s->rt, 1, 1, "metrics", err, errlen)) return -1;
    if (!lua_istable(L, -1)) {
        ps_set_error(err, errlen, "%s: metrics() must return a table of numbers, got %s", s->path, luaL_typename(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    int t = lua_gettop(L);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        n++;
        lua_pop(L, 1);
    }
    char **nm = realloc(e->metric_names, (n ? n : 1) * sizeof *nm);
    if (nm) e->metric_names = nm;
    double *vals = realloc(e->metric_values, (n ? n : 1) * sizeof *vals);
    if (vals) e->metric_values = vals;
    if (!nm || !vals) {
        lua_pop(L, 1);
        ps_set_error(err, errlen, "out of memory");
        return -1;
    }
    int bad = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) != LUA_TSTRING) bad = bad ? bad : 1;
        else if (lua_type(L, -1) != LUA_TNUMBER && lua_type(L, -1) != LUA_TBOOLEAN) bad = bad ? bad : 2;
        else {
            char *k = malloc(lua_rawlen(L, -2) + 1);
            if (k) {
                strcpy(k, lua_tostring(L, -2));
                e->metric_names[e->metric_count] = k;
                e->metric_values[e->metric_count] =
                    lua_type(L, -1) == LUA_TBOOLEAN ? (double)lua_toboolean(L, -1) : lua_tonumber(L, -1);
                e->metric_count++;
            }
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (bad) {
        ps_set_error(err, errlen, "%s: metrics() must map names (strings) to numbers or booleans", s->path);
        return -1;
    }
    // Sort name/value pairs together by name.
    typedef struct { char *n; double v; } pair;
    pair *tmp = malloc((size_t)(e->metric_count ? e->metric_count : 1) * sizeof *tmp);
    if (!tmp) return -1;
    for (int i = 0; i < e->metric_count; i++) tmp[i] = (pair){e->metric_names[i], e->metric_values[i]};
    qsort(tmp, (size_t)e->metric_count, sizeof *tmp, cmp_metric);
    for (int i = 0; i < e->metric_count; i++) {
        e->metric_names[i] = tmp[i].n;
        e->metric_values[i] = tmp[i].v;
    }
    free(tmp);
    *names = (const char *const *)e->metric_names;
    *values = e->metric_values;
    return e->metric_count;
}

size_t ps_episode_observation_count(const ps_episode *e) { return ps_space_count(e->space, false); }
const ps_space_entry *ps_episode_observation(const ps_episode *e, size_t i) { return ps_space_entry_at(e->space, false, i); }
size_t ps_episode_action_count(const ps_episode *e) { return ps_space_count(e->space, true); }
ps_space_entry *ps_episode_action(ps_episode *e, size_t i) { return ps_space_entry_at(e->space, true, i); }
uint64_t ps_episode_action_clamps(const ps_episode *e) { return ps_space_clamps(e->space); }

/* ------------------------------------------------------------ state (state_episode.c) */

ps_episode_core ps_episode_core_of(ps_episode *e)
{
    return (ps_episode_core){e->scene, e->world, &e->status, &e->steps, &e->ret, e->message, sizeof e->message,
                             e->ctx_ref, e->space, e->seed};
}

void ps_episode_sync_clock(ps_episode *e)
{
    lua_State *L = e->scene->rt->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->ctx_ref);
    set_clock(L, lua_gettop(L), e);
    lua_pop(L, 1);
}

void ps_episode_abort(ps_episode *e, ps_episode_status st, const char *msg)
{
    if (e->status != PS_EP_RUNNING || st == PS_EP_RUNNING) return;
    end_with(e, st, msg);
}

ps_status ps_episode_param(const ps_episode *e, size_t i, ps_param_info *out)
{
    ps_status st = ps_scene_param(e->scene, i, out);
    if (st != PS_OK || !out->randomize || out->overridden || !e->param_values) return st;
    const ps_param *p = &e->scene->params[i];
    double v = e->param_values[i];
    if (p->type == PS_PARAM_INTEGER) snprintf(out->value, sizeof out->value, "%lld", (long long)v);
    else snprintf(out->value, sizeof out->value, "%.17g", v);
    return PS_OK;
}
