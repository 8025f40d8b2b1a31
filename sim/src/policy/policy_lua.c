// Lua policies: a module returning {reset = function(spec, seed), act =
// function(obs, action)}, run in a sandboxed Lua state of its own. obs and
// action map entry names to arrays over the episode's buffers (camera images
// read as integers when uint8/int32); spec gives every entry's shape, dtype and
// bounds, and the episode's instruction.
#include "policy_internal.h"
#include "lua_rt.h"
#include "log_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct lua_policy {
    ps_lua_rt *rt;
    int mod_ref, obs_ref, act_ref;
    double control_hz; // ps_policy_options.control_hz (0 = the scene's policy_hz)
} lua_policy;

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

// A path to a .lua file, or a module name ("policies.x") under the module paths.
static bool resolve(const char *spec, const ps_policy_options *opt, char *out, size_t n)
{
    snprintf(out, n, "%s", spec);
    if (is_file(out)) return true;
    char rel[1024];
    snprintf(rel, sizeof rel, "%s", spec);
    size_t len = strlen(rel);
    if (len < 4 || strcmp(rel + len - 4, ".lua") != 0) {
        for (char *c = rel; *c; c++)
            if (*c == '.') *c = '/';
        strncat(rel, ".lua", sizeof rel - strlen(rel) - 1);
    }
    for (size_t i = 0; i < opt->module_path_count; i++) {
        snprintf(out, n, "%s/%s", opt->module_paths[i], rel);
        if (is_file(out)) return true;
    }
    return false;
}

static void push_space(lua_State *L, ps_episode *e, bool action)
{
    size_t n = action ? ps_episode_action_count(e) : ps_episode_observation_count(e);
    lua_createtable(L, 0, (int)n);
    for (size_t i = 0; i < n; i++) {
        const ps_space_entry *x = action ? ps_episode_action(e, i) : ps_episode_observation(e, i);
        if (action || !x->values) ps_lua_push_array(L, x->data, x->count, action);
        else ps_lua_push_typed(L, x->values, x->dtype, x->count); // camera images: uint8 / int32
        lua_setfield(L, -2, x->name);
    }
}

static void push_spec(lua_State *L, ps_episode *e, bool action)
{
    size_t n = action ? ps_episode_action_count(e) : ps_episode_observation_count(e);
    lua_createtable(L, 0, (int)n);
    for (size_t i = 0; i < n; i++) {
        const ps_space_entry *x = action ? ps_episode_action(e, i) : ps_episode_observation(e, i);
        lua_createtable(L, 0, 3);
        lua_createtable(L, x->ndim, 0);
        for (int d = 0; d < x->ndim; d++) {
            lua_pushinteger(L, x->shape[d]);
            lua_rawseti(L, -2, d + 1);
        }
        lua_setfield(L, -2, "shape");
        lua_pushstring(L, ps_dtype_name(x->values ? x->dtype : PS_DTYPE_FLOAT32));
        lua_setfield(L, -2, "dtype");
        if (x->low) {
            for (int k = 0; k < 2; k++) {
                const float *b = k ? x->high : x->low;
                lua_createtable(L, (int)x->count, 0);
                for (size_t j = 0; j < x->count; j++) {
                    lua_pushnumber(L, b[j]);
                    lua_rawseti(L, -2, (lua_Integer)j + 1);
                }
                lua_setfield(L, -2, k ? "high" : "low");
            }
        }
        lua_setfield(L, -2, x->name);
    }
}

static int lp_reset(void *self, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    lua_policy *p = self;
    lua_State *L = p->rt->L;
    p->rt->serial++; // arrays of the previous episode go stale
    ps_rng_seed(&p->rt->rng, ps_seed_mix(seed, 0x706f6c696379ULL)); // "policy"
    if (p->obs_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, p->obs_ref);
    if (p->act_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, p->act_ref);
    push_space(L, e, false);
    p->obs_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    push_space(L, e, true);
    p->act_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->mod_ref);
    ps_lua_rawfield(L, -1, "reset");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 2);
        return 0;
    }
    lua_remove(L, -2);
    lua_createtable(L, 0, 4);
    push_spec(L, e, false);
    lua_setfield(L, -2, "observation");
    push_spec(L, e, true);
    lua_setfield(L, -2, "action");
    lua_pushstring(L, ps_episode_instruction(e));
    lua_setfield(L, -2, "instruction");
    // act() runs at the control ticks (every `period` physics steps; the action is held between)
    double dt = ps_episode_timestep(e);
    uint64_t period = ps_policy_period(p->control_hz, e);
    lua_pushnumber(L, dt);
    lua_setfield(L, -2, "timestep");
    lua_pushnumber(L, 1.0 / ((double)period * dt));
    lua_setfield(L, -2, "control_hz");
    lua_pushinteger(L, (lua_Integer)seed);
    return ps_lua_call(p->rt, 2, 0, "reset", err, errlen) ? 0 : -1;
}

static int lp_act(void *self, ps_episode *e, char *err, size_t errlen)
{
    (void)e;
    lua_policy *p = self;
    lua_State *L = p->rt->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->mod_ref);
    ps_lua_rawfield(L, -1, "act");
    lua_remove(L, -2);
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->obs_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->act_ref);
    return ps_lua_call(p->rt, 2, 0, "act", err, errlen) ? 0 : -1;
}

static void lp_close(void *self)
{
    lua_policy *p = self;
    ps_lua_rt_destroy(p->rt);
    free(p);
}

const char *ps_policy_lua_source(void *self, size_t i, uint64_t *hash)
{
    const ps_lua_rt *rt = ((const lua_policy *)self)->rt;
    if (i >= rt->source_count) return NULL;
    *hash = rt->source_hashes[i];
    return rt->sources[i];
}

static const ps_policy_vtable lua_vt = {"lua", lp_reset, lp_act, lp_close, NULL};

ps_policy *ps_policy_open_lua(const char *spec, const ps_policy_options *opt, char *err, size_t errlen)
{
    char path[4096];
    if (!resolve(spec, opt, path, sizeof path)) {
        ps_set_error(err, errlen, "policy '%s': no such Lua file, and no module of that name under the module paths", spec);
        return NULL;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    ps_scene_options so = ps_default_scene_options();
    so.module_paths = opt->module_paths;
    so.module_path_count = opt->module_path_count;
    so.trusted = opt->trusted;
    so.instruction_budget = opt->instruction_budget;
    so.memory_limit = opt->memory_limit;
    so.wall_limit = opt->wall_limit;
    so.log = opt->log;
    lua_policy *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->mod_ref = p->obs_ref = p->act_ref = LUA_NOREF;
    p->control_hz = opt->control_hz;
    p->rt = ps_lua_rt_create(&so, dir, err, errlen);
    if (!p->rt) {
        free(p);
        return NULL;
    }
    lua_State *L = p->rt->L;
    ps_lua_rt_add_source(p->rt, path);
    char lerr[PS_ERR_LEN];
    if (ps_lua_load_file(L, path) != LUA_OK) {
        ps_set_error(err, errlen, "policy '%s': %s", spec, lua_tostring(L, -1));
        lp_close(p);
        return NULL;
    }
    if (!ps_lua_call(p->rt, 0, 1, "load", lerr, sizeof lerr)) {
        ps_set_error(err, errlen, "policy '%s': %s", spec, lerr);
        lp_close(p);
        return NULL;
    }
    ps_lua_rawfield(L, -1, "act");
    bool ok = lua_istable(L, -2) && lua_isfunction(L, -1);
    lua_pop(L, 1);
    if (!ok) {
        lua_pop(L, 1);
        ps_set_error(err, errlen, "%s: a policy module must return a table with act = function(obs, action)", path);
        lp_close(p);
        return NULL;
    }
    p->mod_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return ps_policy_wrap(&lua_vt, p, spec);
}
