// Lua bindings of robots: world:robot{urdf = ...} or world:robot{links = ...,
// joints = ...}, and the Robot handle (joint state, commands, actuators, links).
#include "lua_rt.h"
#include "log_internal.h"
#include "pilotsim/body.h"
#include "pilotsim/joint.h"
#include "pilotsim/material.h"
#include "pilotsim/robot.h"
#include "pilotsim/dynamics.h"
#include "pilotsim/urdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MT_ROBOT "pilotsim.Robot"

static ps_world *check_robot(lua_State *L, int i, ps_robot_id *id)
{
    ps_lua_handle *h = ps_lua_check_handle(L, i, MT_ROBOT, "robot");
    ps_world *w = ps_lua_rt_of(L)->world;
    *id = (ps_robot_id){h->index, h->gen, h->world};
    if (!ps_robot_valid(w, *id)) luaL_error(L, "stale robot handle");
    return w;
}

static void push_robot(lua_State *L, ps_robot_id id) { ps_lua_push_handle(L, MT_ROBOT, id.index, id.gen, id.world); }

// Joint index from a name or a 1-based index at stack slot i.
static size_t joint_arg(lua_State *L, ps_world *w, ps_robot_id r, int i)
{
    size_t n = ps_robot_joint_count(w, r);
    if (lua_type(L, i) == LUA_TNUMBER) {
        lua_Integer k = luaL_checkinteger(L, i);
        if (k < 1 || (size_t)k > n) luaL_error(L, "robot '%s' has %d joints; joint %d does not exist", ps_robot_name(w, r), (int)n, (int)k);
        return (size_t)k - 1;
    }
    const char *name = luaL_checkstring(L, i);
    int k = ps_robot_joint_index(w, r, name);
    if (k < 0) luaL_error(L, "robot '%s' has no joint '%s'", ps_robot_name(w, r), name);
    return (size_t)k;
}

static const char *const actuator_fields[] = {"mode", "kp", "kd", "effort", "velocity", "gear", "damping", "friction",
                                              "armature", "rotor_inertia", NULL};

// Reads an actuator table at index t over `a`.
static void read_actuator(lua_State *L, int t, const char *what, ps_actuator_def *a)
{
    t = lua_absindex(L, t);
    luaL_checktype(L, t, LUA_TTABLE);
    ps_lua_check_fields(L, t, what, actuator_fields);
    const char *mode = ps_lua_field_string(L, t, what, "mode", NULL);
    if (mode) {
        if (!strcmp(mode, "position")) a->mode = PS_ACT_POSITION;
        else if (!strcmp(mode, "velocity")) a->mode = PS_ACT_VELOCITY;
        else if (!strcmp(mode, "torque")) a->mode = PS_ACT_TORQUE;
        else if (!strcmp(mode, "none")) a->mode = PS_ACT_NONE;
        else luaL_error(L, "%s: field 'mode' must be \"position\", \"velocity\", \"torque\" or \"none\", got \"%s\"", what, mode);
    }
    a->kp = ps_lua_field_number(L, t, what, "kp", a->kp);
    a->kd = ps_lua_field_number(L, t, what, "kd", a->kd);
    lua_getfield(L, t, "effort");
    if (!lua_isnil(L, -1)) a->effort_limit = luaL_checknumber(L, -1);
    lua_getfield(L, t, "velocity");
    if (!lua_isnil(L, -1)) a->velocity_limit = luaL_checknumber(L, -1);
    lua_pop(L, 2);
    a->gear = ps_lua_field_number(L, t, what, "gear", a->gear);
    a->damping = ps_lua_field_number(L, t, what, "damping", a->damping);
    a->friction = ps_lua_field_number(L, t, what, "friction", a->friction);
    a->armature = ps_lua_field_number(L, t, what, "armature", a->armature);
    a->rotor_inertia = ps_lua_field_number(L, t, what, "rotor_inertia", a->rotor_inertia);
}

// Reads the optional `solver` field of world:robot's table at index t over
// `n`: {iterations = N, max_timestep = s, direct_max_timestep = s} (ps_solver_need;
// 0 = no need).
static void read_solver_need(lua_State *L, int t, const char *what, ps_solver_need *n)
{
    lua_getfield(L, t, "solver");
    if (!lua_isnil(L, -1)) {
        char sw[80];
        snprintf(sw, sizeof sw, "%s solver", what);
        if (!lua_istable(L, -1))
            luaL_error(L, "%s: must be a table {iterations = N, max_timestep = s, direct_max_timestep = s}", sw);
        static const char *const f[] = {"iterations", "max_timestep", "direct_max_timestep", NULL};
        ps_lua_check_fields(L, -1, sw, f);
        double it = ps_lua_field_number(L, -1, sw, "iterations", n->min_iterations);
        double dt = ps_lua_field_number(L, -1, sw, "max_timestep", n->max_timestep);
        double ddt = ps_lua_field_number(L, -1, sw, "direct_max_timestep", n->direct_max_timestep);
        if (!(it >= 0 && it <= PS_WORLD_MAX_ITERATIONS) || it != floor(it))
            luaL_error(L, "%s: iterations must be an integer in 0..%d, got %f", sw, PS_WORLD_MAX_ITERATIONS, (lua_Number)it);
        if (!(dt >= 0) || !isfinite(dt)) luaL_error(L, "%s: max_timestep must be a finite number >= 0 (s), got %f", sw, (lua_Number)dt);
        if (!(ddt >= 0) || !isfinite(ddt))
            luaL_error(L, "%s: direct_max_timestep must be a finite number >= 0 (s), got %f", sw, (lua_Number)ddt);
        n->min_iterations = (int)it;
        n->max_timestep = dt;
        n->direct_max_timestep = ddt;
    }
    lua_pop(L, 1);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

// Resolves a robot description path: absolute, beside the scene, or under a
// package directory ("package://" prefixes are stripped).
static bool resolve(ps_lua_rt *rt, const char *name, char *out, size_t n)
{
    if (!strncmp(name, "package://", 10)) name += 10;
    if (name[0] == '/') {
        snprintf(out, n, "%s", name);
        return is_file(out);
    }
    snprintf(out, n, "%s/%s", rt->scene_dir, name);
    if (is_file(out)) return true;
    for (size_t i = 0; i < rt->package_path_count; i++) {
        snprintf(out, n, "%s/%s", rt->package_paths[i], name);
        if (is_file(out)) return true;
    }
    return false;
}

static int robot_from_urdf(lua_State *L, ps_world *w)
{
    ps_lua_rt *rt = ps_lua_rt_of(L);
    const char *what = "world:robot";
    static const char *const f[] = {"urdf", "name", "pos", "quat", "rpy", "fixed_base", "self_collide", "material",
                                    "urdf_dynamics", "actuator", "actuators", "q", "solver", NULL};
    ps_lua_check_fields(L, 2, what, f);
    const char *file = ps_lua_field_string(L, 2, what, "urdf", NULL);
    char path[4096];
    if (!resolve(rt, file, path, sizeof path))
        return luaL_error(L, "%s: URDF '%s' not found beside the scene (%s) or under the package paths", what, file,
                          rt->scene_dir);
    ps_urdf_options uo = ps_urdf_default_options();
    for (size_t i = 0; i < rt->package_path_count; i++) ps_urdf_options_add_package_path(&uo, rt->package_paths[i]);
    ps_urdf_options_add_package_path(&uo, rt->scene_dir);
    char err[PS_ERR_LEN];
    ps_urdf_model *m = ps_urdf_load(path, &uo, err, sizeof err);
    ps_urdf_options_clear(&uo);
    if (!m) return luaL_error(L, "%s: %s", what, err);
    for (size_t i = 0; i < m->warning_count; i++) ps_log_write(&rt->log, PS_LOG_WARN, m->warnings[i]);

    ps_urdf_build_options bo = ps_default_urdf_build_options();
    bo.name = ps_lua_field_string(L, 2, what, "name", NULL);
    ps_lua_field_vec3(L, 2, what, "pos", &bo.base.p);
    ps_lua_field_rotation(L, 2, what, &bo.base.q);
    bo.fixed_base = ps_lua_field_bool(L, 2, what, "fixed_base", false);
    bo.self_collide = ps_lua_field_bool(L, 2, what, "self_collide", false);
    bo.urdf_dynamics = ps_lua_field_bool(L, 2, what, "urdf_dynamics", true);
    const char *mat = ps_lua_field_string(L, 2, what, "material", NULL);
    if (mat && !ps_material_is_set(bo.material = ps_material_find(w, mat))) {
        ps_urdf_free(m);
        return luaL_error(L, "%s: unknown material '%s'", what, mat);
    }
    lua_getfield(L, 2, "actuator");
    if (!lua_isnil(L, -1)) read_actuator(L, -1, "world:robot actuator", &bo.actuator);
    lua_pop(L, 1);
    read_solver_need(L, 2, what, &bo.solver); // over the importer's default need
    ps_robot_id r = ps_robot_from_urdf(w, m, &bo);
    ps_urdf_free(m);
    if (!ps_robot_valid(w, r)) return luaL_error(L, "%s: %s", what, ps_world_last_error(w));

    // Per-joint actuator overrides, by joint name.
    lua_getfield(L, 2, "actuators");
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        int t = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, t)) {
            const char *jn = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            int k = ps_robot_joint_index(w, r, jn);
            if (k < 0) return luaL_error(L, "%s: actuators: robot '%s' has no joint '%s'", what, ps_robot_name(w, r), jn);
            ps_actuator_def a;
            ps_robot_get_actuator(w, r, (size_t)k, &a);
            char aw[160];
            snprintf(aw, sizeof aw, "world:robot actuators.%s", jn);
            read_actuator(L, -1, aw, &a);
            if (ps_robot_set_actuator(w, r, (size_t)k, &a) != PS_OK) return luaL_error(L, "%s: %s", what, ps_world_last_error(w));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    push_robot(L, r);
    return 1;
}

static int robot_assembled(lua_State *L, ps_world *w)
{
    const char *what = "world:robot";
    static const char *const f[] = {"name", "links", "joints", "solver", NULL};
    ps_lua_check_fields(L, 2, what, f);
    const char *name = ps_lua_field_string(L, 2, what, "name", NULL);
    if (!name) return luaL_error(L, "%s: field 'name' is required", what);
    lua_getfield(L, 2, "links");
    if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) < 1)
        return luaL_error(L, "%s: field 'links' must be a list of Bodies (the base first)", what);
    size_t nl = lua_rawlen(L, -1);
    ps_body_id *links = lua_newuserdatauv(L, nl * sizeof *links, 0);
    for (size_t i = 0; i < nl; i++) {
        lua_rawgeti(L, -2, (lua_Integer)i + 1);
        ps_lua_check_body(L, -1, &links[i]);
        lua_pop(L, 1);
    }
    lua_getfield(L, 2, "joints");
    size_t nj = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
    if (!lua_isnil(L, -1) && !lua_istable(L, -1)) return luaL_error(L, "%s: field 'joints' must be a list", what);
    ps_robot_joint_def *jd = lua_newuserdatauv(L, (nj ? nj : 1) * sizeof *jd, 0);
    int jt = lua_gettop(L) - 1;
    for (size_t i = 0; i < nj; i++) {
        lua_rawgeti(L, jt, (lua_Integer)i + 1);
        char jw[64];
        snprintf(jw, sizeof jw, "world:robot joints[%d]", (int)i + 1);
        luaL_checktype(L, -1, LUA_TTABLE);
        static const char *const jf[] = {"joint", "name", "actuator", NULL};
        ps_lua_check_fields(L, -1, jw, jf);
        jd[i] = (ps_robot_joint_def){.actuator = ps_default_actuator_def(), .mimic = -1, .mimic_multiplier = 1};
        lua_getfield(L, -1, "joint");
        ps_lua_check_joint(L, -1, &jd[i].joint);
        lua_pop(L, 1);
        jd[i].name = ps_lua_field_string(L, -1, jw, "name", NULL);
        lua_getfield(L, -1, "actuator");
        if (!lua_isnil(L, -1)) read_actuator(L, -1, jw, &jd[i].actuator);
        lua_pop(L, 2);
    }
    ps_robot_def def = {.name = name, .links = links, .link_count = nl, .joints = jd, .joint_count = nj};
    read_solver_need(L, 2, what, &def.solver);
    ps_robot_id r = ps_robot_create(w, &def);
    if (!ps_robot_valid(w, r)) return luaL_error(L, "%s: %s", what, ps_world_last_error(w));
    push_robot(L, r);
    return 1;
}

static int set_q_table(lua_State *L, ps_world *w, ps_robot_id r, int t);

int ps_lua_world_robot(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "urdf");
    bool urdf = !lua_isnil(L, -1);
    lua_pop(L, 1);
    int n = urdf ? robot_from_urdf(L, w) : robot_assembled(L, w);
    if (urdf) {
        lua_getfield(L, 2, "q");
        if (!lua_isnil(L, -1)) {
            ps_robot_id r;
            check_robot(L, -2, &r);
            set_q_table(L, w, r, lua_gettop(L));
        }
        lua_pop(L, 1);
    }
    return n;
}

/* ------------------------------------------------------------- methods */

static int push_array(lua_State *L, ps_world *w, ps_robot_id r, ps_status (*get)(const ps_world *, ps_robot_id, double *))
{
    size_t n = ps_robot_joint_count(w, r);
    double buf[64], *v = n <= 64 ? buf : lua_newuserdatauv(L, n * sizeof *v, 0);
    get(w, r, v);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int r_q(lua_State *L) { ps_robot_id r; ps_world *w = check_robot(L, 1, &r); return push_array(L, w, r, ps_robot_positions); }
static int r_qd(lua_State *L) { ps_robot_id r; ps_world *w = check_robot(L, 1, &r); return push_array(L, w, r, ps_robot_velocities); }
static int r_tau(lua_State *L) { ps_robot_id r; ps_world *w = check_robot(L, 1, &r); return push_array(L, w, r, ps_robot_efforts); }

// Every joint's current target (after clamping), what the last command set.
static ps_status commands_of(const ps_world *w, ps_robot_id r, double *out)
{
    for (size_t i = 0; i < ps_robot_joint_count(w, r); i++) out[i] = ps_robot_command(w, r, i);
    return PS_OK;
}

// robot:commands(): part of the saved state, so code that continues from it
// (an IK warm start) continues the same after a restore.
static int r_commands(lua_State *L) { ps_robot_id r; ps_world *w = check_robot(L, 1, &r); return push_array(L, w, r, commands_of); }

static int one(lua_State *L, ps_status (*get)(const ps_world *, ps_robot_id, double *))
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    size_t k = joint_arg(L, w, r, 2), n = ps_robot_joint_count(w, r);
    double buf[64], *v = n <= 64 ? buf : lua_newuserdatauv(L, n * sizeof *v, 0);
    get(w, r, v);
    lua_pushnumber(L, v[k]);
    return 1;
}

static int r_position(lua_State *L) { return one(L, ps_robot_positions); }
static int r_velocity(lua_State *L) { return one(L, ps_robot_velocities); }
static int r_effort(lua_State *L) { return one(L, ps_robot_efforts); }

static void command_one(lua_State *L, ps_world *w, ps_robot_id r, size_t k, int vi)
{
    int isnum = 0;
    double v = lua_tonumberx(L, vi, &isnum);
    if (!isnum) luaL_error(L, "robot:command: joint '%s' needs a number, got %s", ps_robot_joint_name(w, r, k), luaL_typename(L, vi));
    if (ps_robot_set_command(w, r, k, v) != PS_OK) luaL_error(L, "robot:command: %s", ps_world_last_error(w));
}

// robot:command(joint, value) | robot:command{name = value, ...} | robot:command{v1, v2, ...}
static int r_command(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    if (lua_type(L, 2) != LUA_TTABLE) {
        command_one(L, w, r, joint_arg(L, w, r, 2), 3);
        return 0;
    }
    size_t n = ps_robot_joint_count(w, r), len = lua_rawlen(L, 2);
    if (len > 0) {
        if (len != n) return luaL_error(L, "robot:command: robot '%s' has %d joints, got %d values", ps_robot_name(w, r), (int)n, (int)len);
        // A mimic joint follows its master: its entry in the list is skipped.
        for (size_t i = 0; i < n; i++) {
            if (ps_robot_joint_mimic(w, r, i) >= 0) continue;
            lua_rawgeti(L, 2, (lua_Integer)i + 1);
            command_one(L, w, r, i, -1);
            lua_pop(L, 1);
        }
        return 0;
    }
    // Named: apply in joint order (deterministic, whatever pairs() does).
    for (size_t i = 0; i < n; i++) {
        if (ps_robot_joint_mimic(w, r, i) >= 0) continue;
        lua_getfield(L, 2, ps_robot_joint_name(w, r, i));
        if (!lua_isnil(L, -1)) command_one(L, w, r, i, -1);
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        if (ps_robot_joint_index(w, r, k) < 0) return luaL_error(L, "robot:command: robot '%s' has no joint '%s'", ps_robot_name(w, r), k);
    }
    return 0;
}

static int set_q_table(lua_State *L, ps_world *w, ps_robot_id r, int t)
{
    size_t n = ps_robot_joint_count(w, r), len = lua_rawlen(L, t);
    double buf[64], *q = n <= 64 ? buf : lua_newuserdatauv(L, n * sizeof *q, 0);
    ps_robot_positions(w, r, q);
    if (len > 0) {
        if (len != n) return luaL_error(L, "robot q: robot '%s' has %d joints, got %d values", ps_robot_name(w, r), (int)n, (int)len);
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, t, (lua_Integer)i + 1);
            q[i] = luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            lua_getfield(L, t, ps_robot_joint_name(w, r, i));
            if (!lua_isnil(L, -1)) q[i] = luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
    }
    if (ps_robot_set_positions(w, r, q) != PS_OK) return luaL_error(L, "robot q: %s", ps_world_last_error(w));
    return 0;
}

static int r_set_q(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    luaL_checktype(L, 2, LUA_TTABLE);
    return set_q_table(L, w, r, 2);
}

static int r_joint_names(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    size_t n = ps_robot_joint_count(w, r);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, ps_robot_joint_name(w, r, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int r_link_names(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    size_t n = ps_robot_link_count(w, r);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, ps_robot_link_name(w, r, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static size_t link_arg(lua_State *L, ps_world *w, ps_robot_id r, int i)
{
    if (lua_isnoneornil(L, i)) return 0;
    const char *name = luaL_checkstring(L, i);
    int k = ps_robot_link_index(w, r, name);
    if (k < 0) luaL_error(L, "robot '%s' has no link '%s'", ps_robot_name(w, r), name);
    return (size_t)k;
}

static int r_link(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    ps_lua_push_body(L, ps_robot_link_body(w, r, link_arg(L, w, r, 2)));
    return 1;
}

static int r_link_pose(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    ps_pose p;
    ps_robot_link_pose(w, r, link_arg(L, w, r, 2), &p);
    double v[7] = {p.p.x, p.p.y, p.p.z, p.q.w, p.q.x, p.q.y, p.q.z};
    for (int i = 0; i < 7; i++) lua_pushnumber(L, v[i]);
    return 7;
}

/* ------------------------------------------------------------ dynamics */

// Scratch doubles owned by the Lua stack (freed by the GC, also on errors).
static double *scratch(lua_State *L, size_t n) { return lua_newuserdatauv(L, (n ? n : 1) * sizeof(double), 0); }

// Optional list of n joint values at index i: NULL when absent.
static const double *opt_joint_list(lua_State *L, ps_world *w, ps_robot_id r, int i, const char *what)
{
    if (lua_isnoneornil(L, i)) return NULL;
    luaL_checktype(L, i, LUA_TTABLE);
    size_t n = ps_robot_joint_count(w, r);
    if (lua_rawlen(L, i) != n)
        luaL_error(L, "%s: robot '%s' has %d joints, got a list of %d", what, ps_robot_name(w, r), (int)n, (int)lua_rawlen(L, i));
    double *v = scratch(L, n);
    for (size_t k = 0; k < n; k++) {
        lua_rawgeti(L, i, (lua_Integer)k + 1);
        v[k] = luaL_checknumber(L, -1);
        lua_pop(L, 1);
    }
    return v; // the userdata stays on the stack (alive) until the call returns
}

static void dyn_check(lua_State *L, ps_world *w, ps_robot_id r, ps_status st, const char *what)
{
    if (st == PS_OK) return;
    if (st == PS_ERR_STATE) luaL_error(L, "%s: robot '%s' has no kinematic tree (an assembled robot)", what, ps_robot_name(w, r));
    luaL_error(L, "%s: invalid arguments (non-finite values?)", what);
}

static void push_list(lua_State *L, const double *v, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void push_rows(lua_State *L, const double *m, size_t rows, size_t cols)
{
    lua_createtable(L, (int)rows, 0);
    for (size_t i = 0; i < rows; i++) {
        push_list(L, m + i * cols, cols);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static ps_vec3 opt_vec(lua_State *L, int i, const char *what)
{
    ps_vec3 v = {0, 0, 0};
    if (lua_isnoneornil(L, i)) return v;
    luaL_checktype(L, i, LUA_TTABLE);
    double c[3];
    for (int k = 0; k < 3; k++) {
        lua_rawgeti(L, i, k + 1);
        if (!lua_isnumber(L, -1)) luaL_error(L, "%s: expected {x, y, z}", what);
        c[k] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    return (ps_vec3){c[0], c[1], c[2]};
}

// r:jacobian(link [, point [, q]]) -> 6 rows of n (linear velocity rows, then angular).
static int r_jacobian(lua_State *L)
{
    lua_settop(L, 4); // optional arguments, then scratch above them
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    size_t l = link_arg(L, w, r, 2), n = ps_robot_joint_count(w, r);
    ps_vec3 pt = opt_vec(L, 3, "robot:jacobian point");
    const double *q = opt_joint_list(L, w, r, 4, "robot:jacobian q");
    double *J = scratch(L, 6 * n);
    dyn_check(L, w, r, ps_robot_jacobian(w, r, q, l, pt, J), "robot:jacobian");
    push_rows(L, J, 6, n);
    return 1;
}

static int r_mass_matrix(lua_State *L)
{
    lua_settop(L, 2); // optional arguments, then scratch above them
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    size_t n = ps_robot_joint_count(w, r);
    const double *q = opt_joint_list(L, w, r, 2, "robot:mass_matrix q");
    double *M = scratch(L, n * n);
    dyn_check(L, w, r, ps_robot_mass_matrix(w, r, q, M), "robot:mass_matrix");
    push_rows(L, M, n, n);
    return 1;
}

// The torque bindings' common shape: the robot at 1, then up to three optional joint
// lists (NULL when absent; errors name them "<what> <names[k]>"), and n doubles of
// scratch for the result.
typedef struct dyn_call {
    const char *what; // "robot:<method>", for errors
    ps_world *w;
    ps_robot_id r;
    size_t n;             // joint count
    const double *arg[3]; // the optional lists, NULL when absent
    double *out;          // n doubles of scratch (on the Lua stack)
} dyn_call;

static dyn_call dyn_begin(lua_State *L, const char *what, int nl, const char *const names[])
{
    lua_settop(L, 1 + nl); // optional arguments, then scratch above them
    dyn_call c = {.what = what};
    c.w = check_robot(L, 1, &c.r);
    c.n = ps_robot_joint_count(c.w, c.r);
    for (int k = 0; k < nl; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s %s", what, names[k]);
        c.arg[k] = opt_joint_list(L, c.w, c.r, 2 + k, name);
    }
    c.out = scratch(L, c.n);
    return c;
}

// Checks the call's status and returns its n results as a list.
static int dyn_end(lua_State *L, const dyn_call *c, ps_status st)
{
    dyn_check(L, c->w, c->r, st, c->what);
    push_list(L, c->out, c->n);
    return 1;
}

// r:gravity_torques([q])
static int r_gravity_torques(lua_State *L)
{
    static const char *const names[] = {"q"};
    dyn_call c = dyn_begin(L, "robot:gravity_torques", 1, names);
    return dyn_end(L, &c, ps_robot_gravity_torques(c.w, c.r, c.arg[0], c.out));
}

// r:bias_torques([q [, qd]])
static int r_bias_torques(lua_State *L)
{
    static const char *const names[] = {"q", "qd"};
    dyn_call c = dyn_begin(L, "robot:bias_torques", 2, names);
    return dyn_end(L, &c, ps_robot_bias_torques(c.w, c.r, c.arg[0], c.arg[1], c.out));
}

// r:inverse_dynamics(qdd [, q [, qd]]): q and qd default to the current state.
static int r_inverse_dynamics(lua_State *L)
{
    static const char *const names[] = {"qdd", "q", "qd"};
    dyn_call c = dyn_begin(L, "robot:inverse_dynamics", 3, names);
    const double *qd = c.arg[2];
    if (!qd) {
        double *cur = scratch(L, c.n);
        ps_robot_velocities(c.w, c.r, cur);
        qd = cur;
    }
    return dyn_end(L, &c, ps_robot_inverse_dynamics(c.w, c.r, c.arg[1], qd, c.arg[0], c.out));
}

// r:fk(link [, q]) -> x, y, z, qw, qx, qy, qz of the link at q (default current).
static int r_fk(lua_State *L)
{
    lua_settop(L, 3); // optional arguments, then scratch above them
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    size_t l = link_arg(L, w, r, 2), nl = ps_robot_link_count(w, r);
    const double *q = opt_joint_list(L, w, r, 3, "robot:fk q");
    ps_pose *p = lua_newuserdatauv(L, nl * sizeof *p, 0);
    dyn_check(L, w, r, ps_robot_forward_kinematics(w, r, q, p), "robot:fk");
    double v[7] = {p[l].p.x, p[l].p.y, p[l].p.z, p[l].q.w, p[l].q.x, p[l].q.y, p[l].q.z};
    for (int i = 0; i < 7; i++) lua_pushnumber(L, v[i]);
    return 7;
}

// r:ik{link =, pos = {x, y, z}, quat = {w, x, y, z} (omitted: position only),
// point = {x, y, z} (link frame), q0 = {...}, iterations =, damping =,
// tolerance = (m), rot_tolerance = (rad), max_step =} -> q, converged,
// position error (m), rotation error (rad).
static int r_ik(lua_State *L)
{
    lua_settop(L, 2); // optional arguments, then scratch above them
    static const char *const f[] = {"link", "pos", "quat", "point", "q0", "iterations", "damping", "tolerance",
                                    "rot_tolerance", "max_step", NULL};
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    luaL_checktype(L, 2, LUA_TTABLE);
    ps_lua_check_fields(L, 2, "robot:ik", f);
    size_t n = ps_robot_joint_count(w, r);
    lua_getfield(L, 2, "link");
    size_t l = lua_isnil(L, -1) ? ps_robot_link_count(w, r) - 1 : link_arg(L, w, r, -1);
    lua_getfield(L, 2, "pos");
    if (lua_isnil(L, -1)) return luaL_error(L, "robot:ik: field 'pos' {x, y, z} is required");
    ps_pose target = {opt_vec(L, lua_gettop(L), "robot:ik pos"), {1, 0, 0, 0}};
    lua_getfield(L, 2, "point");
    ps_vec3 pt = opt_vec(L, lua_gettop(L), "robot:ik point");
    ps_ik_options o = ps_default_ik_options();
    lua_getfield(L, 2, "quat");
    o.orientation = !lua_isnil(L, -1);
    if (o.orientation) {
        double c[4];
        luaL_checktype(L, -1, LUA_TTABLE);
        for (int k = 0; k < 4; k++) {
            lua_rawgeti(L, -1, k + 1);
            c[k] = luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
        target.q = (ps_quat){c[0], c[1], c[2], c[3]};
    }
    lua_getfield(L, 2, "q0");
    const double *q0 = opt_joint_list(L, w, r, lua_gettop(L), "robot:ik q0");
    o.max_iterations = (int)ps_lua_field_number(L, 2, "robot:ik", "iterations", o.max_iterations);
    o.damping = ps_lua_field_number(L, 2, "robot:ik", "damping", o.damping);
    o.position_tolerance = ps_lua_field_number(L, 2, "robot:ik", "tolerance", o.position_tolerance);
    o.rotation_tolerance = ps_lua_field_number(L, 2, "robot:ik", "rot_tolerance", o.rotation_tolerance);
    o.max_step = ps_lua_field_number(L, 2, "robot:ik", "max_step", o.max_step);
    double *q = scratch(L, n);
    ps_ik_result res;
    ps_status st = ps_robot_ik(w, r, l, pt, target, q0, &o, q, &res);
    if (st == PS_ERR_INVALID)
        return luaL_error(L, "robot:ik: invalid target or options (finite pos, a non-zero quat, iterations >= 1, damping > 0, max_step > 0)");
    dyn_check(L, w, r, st, "robot:ik");
    push_list(L, q, n);
    lua_pushboolean(L, res.converged);
    lua_pushnumber(L, res.position_error);
    lua_pushnumber(L, res.rotation_error);
    return 4;
}

static int r_actuator(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    size_t k = joint_arg(L, w, r, 2);
    ps_actuator_def a;
    ps_robot_get_actuator(w, r, k, &a);
    if (!lua_isnoneornil(L, 3)) {
        read_actuator(L, 3, "robot:actuator", &a);
        if (ps_robot_set_actuator(w, r, k, &a) != PS_OK) return luaL_error(L, "robot:actuator: %s", ps_world_last_error(w));
        return 0;
    }
    static const char *const modes[] = {"none", "position", "velocity", "torque"};
    lua_createtable(L, 0, 10);
    lua_pushstring(L, modes[a.mode]); lua_setfield(L, -2, "mode");
    lua_pushnumber(L, a.kp); lua_setfield(L, -2, "kp");
    lua_pushnumber(L, a.kd); lua_setfield(L, -2, "kd");
    lua_pushnumber(L, a.effort_limit); lua_setfield(L, -2, "effort");
    lua_pushnumber(L, a.velocity_limit); lua_setfield(L, -2, "velocity");
    lua_pushnumber(L, a.gear); lua_setfield(L, -2, "gear");
    lua_pushnumber(L, a.damping); lua_setfield(L, -2, "damping");
    lua_pushnumber(L, a.friction); lua_setfield(L, -2, "friction");
    lua_pushnumber(L, a.armature); lua_setfield(L, -2, "armature");
    lua_pushnumber(L, a.rotor_inertia); lua_setfield(L, -2, "rotor_inertia");
    return 1;
}

static int r_clamps(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    lua_pushinteger(L, (lua_Integer)ps_robot_clamp_count(w, r, joint_arg(L, w, r, 2)));
    return 1;
}

static int r_limits(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    double lo, hi;
    if (ps_robot_joint_limits(w, r, joint_arg(L, w, r, 2), &lo, &hi) != PS_OK) return 0;
    lua_pushnumber(L, lo);
    lua_pushnumber(L, hi);
    return 2;
}

static int r_mass(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    lua_pushnumber(L, ps_robot_mass(w, r));
    return 1;
}

static int r_name(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    lua_pushstring(L, ps_robot_name(w, r));
    return 1;
}

static int r_dof(lua_State *L)
{
    ps_robot_id r;
    ps_world *w = check_robot(L, 1, &r);
    lua_pushinteger(L, (lua_Integer)ps_robot_joint_count(w, r));
    return 1;
}

void ps_lua_open_robot(lua_State *L)
{
    static const luaL_Reg m[] = {
        {"q", r_q}, {"qd", r_qd}, {"tau", r_tau}, {"position", r_position}, {"velocity", r_velocity},
        {"effort", r_effort}, {"command", r_command}, {"commands", r_commands}, {"set_q", r_set_q}, {"joint_names", r_joint_names},
        {"link_names", r_link_names}, {"link", r_link}, {"link_pose", r_link_pose}, {"actuator", r_actuator},
        {"clamps", r_clamps}, {"limits", r_limits}, {"mass", r_mass}, {"name", r_name}, {"dof", r_dof},
        {"jacobian", r_jacobian}, {"mass_matrix", r_mass_matrix}, {"gravity_torques", r_gravity_torques},
        {"bias_torques", r_bias_torques}, {"inverse_dynamics", r_inverse_dynamics}, {"fk", r_fk}, {"ik", r_ik},
        {NULL, NULL}};
    ps_lua_new_class(L, MT_ROBOT, m, NULL, NULL);
}
