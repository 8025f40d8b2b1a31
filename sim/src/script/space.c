// Observation and action spaces: declared in the scene table, bound to
// buffers when an episode begins (sensor-bound observations are the sensors'
// own buffers), refreshed after each step; actions checked, clamped and
// applied before each step. Lua reads and writes them through FloatArrays.
#include "scene_internal.h"
#include "util.h"
#include "log_internal.h"
#include "pilotsim/robot.h"
#include "pilotsim/sensor.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_ARRAY "pilotsim.FloatArray"

typedef struct ps_space_item {
    ps_space_entry e;
    const ps_space_decl *decl;
    ps_sensor_id sensor;
    ps_robot_id robot;
    float *owned;          // buffer owned by the episode (NULL when bound to a sensor)
    float *low, *high;     // expanded bounds (owned) or NULL
    void *typed;           // camera RGB/segmentation: the uint8/int32 values (owned), else NULL
    double typed_stamp;    // sensor stamp the typed values were converted at (NaN: never)
} ps_space_item;

struct ps_space_rt {
    ps_world *world;
    ps_space_item *obs, *act;
    size_t obs_count, act_count;
    int ctx_ref;
    int obs_ref, act_ref;  // Lua tables name -> FloatArray
    uint64_t serial;
    uint64_t clamps;
    double *scratch;       // robot readouts
    size_t scratch_len;
};

/* ------------------------------------------------------------ declaration */

static void free_decl(ps_space_decl *d)
{
    free(d->name);
    free(d->target);
    free(d->low);
    free(d->high);
}

void ps_space_free_decls(ps_scene *s)
{
    for (size_t i = 0; i < s->obs_count; i++) free_decl(&s->obs_decls[i]);
    for (size_t i = 0; i < s->act_count; i++) free_decl(&s->act_decls[i]);
    free(s->obs_decls);
    free(s->act_decls);
    s->obs_decls = s->act_decls = NULL;
    s->obs_count = s->act_count = 0;
}

typedef struct decl_ctx {
    ps_scene *s;
    const char *src;
    size_t len;
    char *err;
    size_t errlen;
} decl_ctx;

static bool decl_error(decl_ctx *c, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool decl_error(decl_ctx *c, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = ps_scene_field_line(c->src, c->len, field);
    if (line) ps_set_error(c->err, c->errlen, "%s:%d: %s", c->s->path, line, msg);
    else ps_set_error(c->err, c->errlen, "%s: %s", c->s->path, msg);
    return false;
}

static int cmp_decl(const void *a, const void *b)
{
    return strcmp(((const ps_space_decl *)a)->name, ((const ps_space_decl *)b)->name);
}

// Reads `low`/`high` of entry table t: a number or a list of numbers.
static bool read_bounds(decl_ctx *c, lua_State *L, int t, const char *what, ps_space_decl *d)
{
    const char *names[2] = {"low", "high"};
    double **dst[2] = {&d->low, &d->high};
    size_t n[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        ps_lua_rawfield(L, t, names[k]);
        if (lua_type(L, -1) == LUA_TNUMBER) {
            n[k] = 1;
            *dst[k] = malloc(sizeof(double));
            if (*dst[k]) (*dst[k])[0] = lua_tonumber(L, -1);
        } else if (lua_istable(L, -1)) {
            n[k] = lua_rawlen(L, -1);
            *dst[k] = calloc(n[k] ? n[k] : 1, sizeof(double));
            for (size_t i = 0; *dst[k] && i < n[k]; i++) {
                lua_rawgeti(L, -1, (lua_Integer)i + 1);
                if (lua_type(L, -1) != LUA_TNUMBER) {
                    lua_pop(L, 2);
                    return decl_error(c, d->name, "%s '%s': %s[%d] must be a number", what, d->name, names[k], (int)i + 1);
                }
                (*dst[k])[i] = lua_tonumber(L, -1);
                lua_pop(L, 1);
            }
        } else if (!lua_isnil(L, -1)) {
            lua_pop(L, 1);
            return decl_error(c, d->name, "%s '%s': %s must be a number or a list of numbers", what, d->name, names[k]);
        }
        lua_pop(L, 1);
    }
    if (!d->low != !d->high) return decl_error(c, d->name, "%s '%s': give both low and high, or neither", what, d->name);
    if (d->low && n[0] != n[1]) return decl_error(c, d->name, "%s '%s': low and high have different lengths", what, d->name);
    d->bound_count = n[0];
    for (size_t i = 0; d->low && i < n[0]; i++)
        if (!(d->low[i] <= d->high[i]))
            return decl_error(c, d->name, "%s '%s': low[%d] > high[%d]", what, d->name, (int)i + 1, (int)i + 1);
    return true;
}

static bool read_shape(decl_ctx *c, lua_State *L, int t, const char *what, ps_space_decl *d)
{
    ps_lua_rawfield(L, t, "shape");
    bool ok = true;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        d->ndim = 1;
        d->shape[0] = (int)lua_tointeger(L, -1);
    } else if (lua_istable(L, -1)) {
        size_t n = lua_rawlen(L, -1);
        if (n < 1 || n > 4) ok = decl_error(c, d->name, "%s '%s': shape must have 1 to 4 dimensions", what, d->name);
        d->ndim = (int)n;
        for (size_t i = 0; ok && i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            if (lua_type(L, -1) == LUA_TSTRING) {
                // a size taken from an integer param (its default or --param value)
                const char *pn = lua_tostring(L, -1);
                const ps_param *p = NULL;
                for (size_t k = 0; k < c->s->param_count; k++)
                    if (!strcmp(c->s->params[k].name, pn)) p = &c->s->params[k];
                if (!p || p->type != PS_PARAM_INTEGER || p->randomize)
                    ok = decl_error(c, d->name, "%s '%s': shape[%d] '%s' must name an integer param that is not "
                                    "randomized (spaces are sized when the scene loads)", what, d->name, (int)i + 1, pn);
                else d->shape[i] = (int)p->num;
            } else d->shape[i] = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        ok = decl_error(c, d->name, "%s '%s': shape must be a list of sizes", what, d->name);
    }
    lua_pop(L, 1);
    for (int i = 0; ok && i < d->ndim; i++)
        if (d->shape[i] < 1 || d->shape[i] > 1 << 24)
            ok = decl_error(c, d->name, "%s '%s': shape sizes must be positive integers", what, d->name);
    // The product too (four sizes of 2^24 wrapped around size_t to 0).
    double total = 1;
    for (int i = 0; ok && i < d->ndim; i++) total *= d->shape[i];
    if (ok && total > (double)(1 << 26))
        ok = decl_error(c, d->name, "%s '%s': shape holds %.0f values, more than the limit of %d", what, d->name,
                        total, 1 << 26);
    return ok;
}

static bool load_entry(decl_ctx *c, lua_State *L, int t, bool action, ps_space_decl *d)
{
    const char *what = action ? "action" : "observation";
    if (!lua_istable(L, t)) return decl_error(c, d->name, "%s '%s' must be a table", what, d->name);
    static const char *const known_obs[] = {"sensor", "robot", "field", "shape", "fn", "low", "high", NULL};
    static const char *const known_act[] = {"robot", "shape", "low", "high", NULL};
    const char *const *known = action ? known_act : known_obs;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        bool ok = false;
        for (int i = 0; known[i]; i++) ok |= !strcmp(k, known[i]);
        if (!ok) {
            bool r = decl_error(c, d->name, "%s '%s': unknown field '%s'", what, d->name, k);
            lua_pop(L, 1);
            return r;
        }
    }
    d->fn_ref = LUA_NOREF;
    ps_lua_rawfield(L, t, "sensor");
    ps_lua_rawfield(L, t, "robot");
    ps_lua_rawfield(L, t, "fn");
    bool has_sensor = !lua_isnil(L, -3), has_robot = !lua_isnil(L, -2), has_fn = !lua_isnil(L, -1);
    if (has_sensor + has_robot + has_fn > 1) {
        lua_pop(L, 3);
        return decl_error(c, d->name, "%s '%s': give one of sensor, robot or fn", what, d->name);
    }
    if (has_fn) {
        if (!lua_isfunction(L, -1)) {
            lua_pop(L, 3);
            return decl_error(c, d->name, "%s '%s': fn must be a function(ctx, out)", what, d->name);
        }
        d->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX); // pops fn
        lua_pushnil(L);
    }
    if ((has_sensor && lua_type(L, -3) != LUA_TSTRING) || (has_robot && lua_type(L, -2) != LUA_TSTRING)) {
        lua_pop(L, 3);
        return decl_error(c, d->name, "%s '%s': sensor and robot take names (strings)", what, d->name);
    }
    if (has_sensor) d->target = ps_strdup(lua_tostring(L, -3));
    if (has_robot) d->target = ps_strdup(lua_tostring(L, -2));
    lua_pop(L, 3);
    if (!read_shape(c, L, t, what, d) || !read_bounds(c, L, t, what, d)) return false;
    if (has_sensor) {
        d->src = PS_SRC_SENSOR;
        if (d->ndim) return decl_error(c, d->name, "%s '%s': a sensor entry takes the sensor's shape; drop 'shape'", what, d->name);
    } else if (has_robot) {
        if (action) {
            d->src = PS_SRC_ROBOT_CMD;
        } else {
            const char *field = ps_lua_field_string(L, t, what, "field", "q");
            if (!strcmp(field, "q")) d->src = PS_SRC_ROBOT_Q;
            else if (!strcmp(field, "qd")) d->src = PS_SRC_ROBOT_QD;
            else if (!strcmp(field, "tau")) d->src = PS_SRC_ROBOT_TAU;
            else return decl_error(c, d->name, "%s '%s': field must be \"q\", \"qd\" or \"tau\"", what, d->name);
        }
    } else {
        d->src = has_fn ? PS_SRC_FN : PS_SRC_PLAIN;
        if (!d->ndim) return decl_error(c, d->name, "%s '%s' needs a shape", what, d->name);
        if (!action && !has_fn) return decl_error(c, d->name, "observation '%s' needs a sensor, a robot or fn(ctx, out)", d->name);
    }
    return true;
}

static bool load_space(decl_ctx *c, lua_State *L, int table, const char *field, bool action)
{
    ps_lua_rawfield(L, table, field);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return true;
    }
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return decl_error(c, field, "field '%s' must be a table of named entries", field);
    }
    int t = lua_gettop(L);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 2);
            return decl_error(c, field, "field '%s': entries must be named", field);
        }
        n++;
    }
    ps_space_decl *d = calloc(n ? n : 1, sizeof *d);
    if (!d) {
        lua_pop(L, 1);
        return decl_error(c, field, "out of memory");
    }
    if (action) {
        c->s->act_decls = d;
        c->s->act_count = n;
    } else {
        c->s->obs_decls = d;
        c->s->obs_count = n;
    }
    size_t i = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        d[i].fn_ref = LUA_NOREF;
        d[i++].name = ps_strdup(lua_tostring(L, -1));
    }
    qsort(d, n, sizeof *d, cmp_decl);
    bool ok = true;
    for (i = 0; ok && i < n; i++) {
        ps_lua_rawfield(L, t, d[i].name);
        ok = load_entry(c, L, lua_gettop(L), action, &d[i]);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return ok;
}

bool ps_space_load(ps_scene *s, int table, const char *src, size_t len, char *err, size_t errlen)
{
    decl_ctx c = {s, src, len, err, errlen};
    lua_State *L = s->rt->L;
    return load_space(&c, L, table, "observation", false) && load_space(&c, L, table, "action", true);
}

/* ---------------------------------------------------------------- Lua view */

typedef struct { uint64_t serial; void *data; size_t count; bool writable; ps_dtype dtype; } larray;

static larray *check_array(lua_State *L)
{
    larray *a = luaL_checkudata(L, 1, MT_ARRAY);
    if (a->serial != ps_lua_rt_of(L)->serial) luaL_error(L, "stale array: it belongs to an earlier episode");
    return a;
}

static int a_index(lua_State *L)
{
    larray *a = check_array(L);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || (size_t)i > a->count) return luaL_error(L, "index %d out of range 1..%d", (int)i, (int)a->count);
    switch (a->dtype) {
    case PS_DTYPE_UINT8: lua_pushinteger(L, ((const uint8_t *)a->data)[i - 1]); break;
    case PS_DTYPE_INT32: lua_pushinteger(L, ((const int32_t *)a->data)[i - 1]); break;
    default: lua_pushnumber(L, ((const float *)a->data)[i - 1]); break;
    }
    return 1;
}

static int a_newindex(lua_State *L)
{
    larray *a = check_array(L);
    if (!a->writable) return luaL_error(L, "this array is read-only (an observation)");
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || (size_t)i > a->count) return luaL_error(L, "index %d out of range 1..%d", (int)i, (int)a->count);
    ((float *)a->data)[i - 1] = (float)luaL_checknumber(L, 3); // writable arrays are float32 actions
    return 0;
}

static int a_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_array(L)->count);
    return 1;
}

void ps_lua_push_typed(lua_State *L, const void *values, ps_dtype dtype, size_t count)
{
    ps_lua_push_array(L, (float *)(uintptr_t)values, count, false);
    larray *a = lua_touserdata(L, -1);
    a->dtype = dtype;
}

void ps_lua_push_array(lua_State *L, float *data, size_t count, bool writable)
{
    if (luaL_newmetatable(L, MT_ARRAY)) {
        lua_pushcfunction(L, a_index);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, a_newindex);
        lua_setfield(L, -2, "__newindex");
        lua_pushcfunction(L, a_len);
        lua_setfield(L, -2, "__len");
        lua_pushstring(L, "locked");
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    larray *a = lua_newuserdatauv(L, sizeof *a, 0);
    *a = (larray){ps_lua_rt_of(L)->serial, data, count, writable, PS_DTYPE_FLOAT32};
    luaL_setmetatable(L, MT_ARRAY);
}

/* ------------------------------------------------------------ the episode */

static size_t product(const int *shape, int ndim)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)shape[i];
    return n;
}

static bool bind(ps_space_rt *r, ps_world *w, ps_space_item *it, bool action, char *err, size_t errlen)
{
    const ps_space_decl *d = it->decl;
    const char *what = action ? "action" : "observation";
    it->e.name = d->name;
    it->e.ndim = d->ndim;
    memcpy(it->e.shape, d->shape, sizeof it->e.shape);
    switch (d->src) {
    case PS_SRC_SENSOR: {
        it->sensor = ps_sensor_find(w, d->target);
        if (!ps_sensor_valid(w, it->sensor)) {
            ps_set_error(err, errlen, "%s '%s': the scene's build made no sensor '%s'", what, d->name, d->target);
            return false;
        }
        size_t n;
        it->e.data = (float *)ps_sensor_data(w, it->sensor, &n); // the sensor's own buffer
        it->e.ndim = ps_sensor_shape(w, it->sensor, it->e.shape);
        ps_sensor_def def;
        if (ps_sensor_get_type(w, it->sensor) == PS_SENSOR_CAMERA && ps_sensor_get_def(w, it->sensor, &def) == PS_OK)
            it->e.dtype = def.camera == PS_CAMERA_RGB            ? PS_DTYPE_UINT8
                          : def.camera == PS_CAMERA_SEGMENTATION ? PS_DTYPE_INT32
                                                                 : PS_DTYPE_FLOAT32;
        break;
    }
    case PS_SRC_ROBOT_Q:
    case PS_SRC_ROBOT_QD:
    case PS_SRC_ROBOT_TAU:
    case PS_SRC_ROBOT_CMD:
        it->robot = ps_robot_find(w, d->target);
        if (!ps_robot_valid(w, it->robot)) {
            ps_set_error(err, errlen, "%s '%s': the scene's build made no robot '%s'", what, d->name, d->target);
            return false;
        }
        it->e.ndim = 1;
        it->e.shape[0] = (int)ps_robot_joint_count(w, it->robot);
        if (it->e.shape[0] == 0) {
            ps_set_error(err, errlen, "%s '%s': robot '%s' has no moving joints", what, d->name, d->target);
            return false;
        }
        break;
    default: break;
    }
    it->e.count = product(it->e.shape, it->e.ndim);
    if (!it->e.data) {
        it->owned = calloc(it->e.count, sizeof *it->owned);
        if (!it->owned) {
            ps_set_error(err, errlen, "out of memory");
            return false;
        }
        it->e.data = it->owned;
    }
    it->e.values = it->e.data;
    it->e.nbytes = it->e.count * ps_dtype_size(it->e.dtype);
    if (it->e.dtype != PS_DTYPE_FLOAT32) {
        if (action || d->low) {
            ps_set_error(err, errlen, "%s '%s': a %s camera entry takes no bounds", what, d->name,
                         ps_dtype_name(it->e.dtype));
            return false;
        }
        it->typed = calloc(it->e.count, ps_dtype_size(it->e.dtype));
        if (!it->typed) {
            ps_set_error(err, errlen, "out of memory");
            return false;
        }
        it->e.values = it->typed;
        it->typed_stamp = NAN;
    }
    // bounds: one value for all, one per element, or (ndim >= 2) one per index of the
    // last dimension, broadcast over the others ({12, 2} with low = {-1, -2})
    size_t last = it->e.ndim >= 2 ? (size_t)it->e.shape[it->e.ndim - 1] : 0;
    if (d->low) {
        if (d->bound_count != 1 && d->bound_count != it->e.count && d->bound_count != last) {
            ps_set_error(err, errlen, "%s '%s': low/high have %d values for %d elements (give 1, %d%s)", what, d->name,
                         (int)d->bound_count, (int)it->e.count, (int)it->e.count,
                         last ? ", or one per index of the last dimension" : "");
            return false;
        }
        it->low = malloc(it->e.count * sizeof *it->low);
        it->high = malloc(it->e.count * sizeof *it->high);
        if (!it->low || !it->high) {
            ps_set_error(err, errlen, "out of memory");
            return false;
        }
        for (size_t i = 0; i < it->e.count; i++) {
            size_t k = d->bound_count == 1 ? 0 : d->bound_count == it->e.count ? i : i % last;
            it->low[i] = (float)d->low[k];
            it->high[i] = (float)d->high[k];
        }
        it->e.low = it->low;
        it->e.high = it->high;
    }
    if (d->src == PS_SRC_ROBOT_CMD && r->scratch_len < it->e.count) r->scratch_len = it->e.count;
    if ((d->src == PS_SRC_ROBOT_Q || d->src == PS_SRC_ROBOT_QD || d->src == PS_SRC_ROBOT_TAU) && r->scratch_len < it->e.count)
        r->scratch_len = it->e.count;
    return true;
}

// Lua tables ctx.obs and ctx.action: name -> FloatArray over the buffers.
static int push_views(lua_State *L, ps_space_item *items, size_t n, bool action)
{
    lua_createtable(L, 0, (int)n);
    for (size_t i = 0; i < n; i++) {
        if (action) ps_lua_push_array(L, items[i].e.data, items[i].e.count, true);
        else ps_lua_push_typed(L, items[i].e.values, items[i].e.dtype, items[i].e.count);
        lua_setfield(L, -2, items[i].e.name);
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

ps_space_rt *ps_space_begin(ps_scene *s, ps_world *w, int ctx_ref, char *err, size_t errlen)
{
    ps_space_rt *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->world = w;
    r->ctx_ref = ctx_ref;
    r->obs_ref = r->act_ref = LUA_NOREF;
    r->obs = calloc(s->obs_count ? s->obs_count : 1, sizeof *r->obs);
    r->act = calloc(s->act_count ? s->act_count : 1, sizeof *r->act);
    bool ok = r->obs && r->act;
    for (size_t i = 0; ok && i < s->obs_count; i++) {
        r->obs[i].decl = &s->obs_decls[i];
        r->obs_count = i + 1;
        ok = bind(r, w, &r->obs[i], false, err, errlen);
    }
    for (size_t i = 0; ok && i < s->act_count; i++) {
        r->act[i].decl = &s->act_decls[i];
        r->act_count = i + 1;
        ok = bind(r, w, &r->act[i], true, err, errlen);
    }
    if (ok && r->scratch_len) ok = (r->scratch = calloc(r->scratch_len, sizeof *r->scratch)) != NULL;
    lua_State *L = s->rt->L;
    if (ok) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref);
        r->obs_ref = push_views(L, r->obs, r->obs_count, false);
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->obs_ref);
        ps_lua_rawsetfield(L, -2, "obs");
        r->act_ref = push_views(L, r->act, r->act_count, true);
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->act_ref);
        ps_lua_rawsetfield(L, -2, "action");
        lua_pop(L, 1);
    }
    if (!ok) {
        ps_space_end(L, r);
        return NULL;
    }
    return r;
}

void ps_space_end(lua_State *L, ps_space_rt *r)
{
    if (!r) return;
    ps_space_item *lists[2] = {r->obs, r->act};
    size_t counts[2] = {r->obs_count, r->act_count};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; lists[k] && i < counts[k]; i++) {
            free(lists[k][i].owned);
            free(lists[k][i].typed);
            free(lists[k][i].low);
            free(lists[k][i].high);
        }
    if (r->obs_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, r->obs_ref);
    if (r->act_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, r->act_ref);
    free(r->obs);
    free(r->act);
    free(r->scratch);
    free(r);
}

// A camera's typed values from its float reading, when it has sampled anew:
// RGB 0..1 to 0..255 (rounded), segmentation ids to int32.
static void convert_camera(ps_space_rt *r, ps_space_item *it)
{
    double stamp = ps_sensor_stamp(r->world, it->sensor);
    if (stamp == it->typed_stamp) return;
    it->typed_stamp = stamp;
    const float *f = it->e.data;
    size_t n = it->e.count;
    if (it->e.dtype == PS_DTYPE_UINT8) {
        uint8_t *u = it->typed;
        for (size_t k = 0; k < n; k++) {
            float v = f[k] * 255.0f + 0.5f;
            u[k] = v >= 255.0f ? 255 : v > 0.0f ? (uint8_t)v : 0; // NaN reads 0
        }
    } else {
        int32_t *q = it->typed;
        for (size_t k = 0; k < n; k++) q[k] = isfinite(f[k]) ? (int32_t)lrintf(f[k]) : 0;
    }
}

bool ps_space_observe(ps_scene *s, ps_space_rt *r, char *err, size_t errlen)
{
    for (size_t i = 0; i < r->obs_count; i++) {
        ps_space_item *it = &r->obs[i];
        switch (it->decl->src) {
        case PS_SRC_ROBOT_Q:
        case PS_SRC_ROBOT_QD:
        case PS_SRC_ROBOT_TAU: {
            ps_status st = it->decl->src == PS_SRC_ROBOT_Q    ? ps_robot_positions(r->world, it->robot, r->scratch)
                           : it->decl->src == PS_SRC_ROBOT_QD ? ps_robot_velocities(r->world, it->robot, r->scratch)
                                                               : ps_robot_efforts(r->world, it->robot, r->scratch);
            if (st != PS_OK) {
                ps_set_error(err, errlen, "observation '%s': robot '%s' is gone", it->e.name, it->decl->target);
                return false;
            }
            for (size_t k = 0; k < it->e.count; k++) it->e.data[k] = (float)r->scratch[k];
            break;
        }
        case PS_SRC_FN: {
            lua_State *L = s->rt->L;
            lua_rawgeti(L, LUA_REGISTRYINDEX, it->decl->fn_ref);
            lua_rawgeti(L, LUA_REGISTRYINDEX, r->ctx_ref);
            ps_lua_push_array(L, it->e.data, it->e.count, true);
            char lerr[PS_ERR_LEN];
            if (!ps_lua_call(s->rt, 2, 0, "observation", lerr, sizeof lerr)) {
                ps_set_error(err, errlen, "in observation '%s' fn(): %s", it->e.name, lerr);
                return false;
            }
            break;
        }
        case PS_SRC_SENSOR:
            if (it->typed) convert_camera(r, it);
            break; // float32 sensors write in place
        default: break;
        }
    }
    return true;
}

bool ps_space_apply_actions(ps_scene *s, ps_space_rt *r, char *err, size_t errlen)
{
    for (size_t i = 0; i < r->act_count; i++) {
        ps_space_item *it = &r->act[i];
        for (size_t k = 0; k < it->e.count; k++) {
            float v = it->e.data[k];
            if (!isfinite(v)) {
                ps_set_error(err, errlen, "action '%s'[%d] is not finite (%g)", it->e.name, (int)k + 1, (double)v);
                return false;
            }
            if (it->low && (v < it->low[k] || v > it->high[k])) {
                it->e.data[k] = v < it->low[k] ? it->low[k] : it->high[k];
                r->clamps++;
            }
        }
        if (it->decl->src == PS_SRC_ROBOT_CMD) {
            for (size_t k = 0; k < it->e.count; k++)
                if (ps_robot_set_command(r->world, it->robot, k, it->e.data[k]) != PS_OK) {
                    ps_set_error(err, errlen, "action '%s': %s", it->e.name, ps_world_last_error(r->world));
                    return false;
                }
        }
    }
    (void)s;
    return true;
}

size_t ps_space_count(const ps_space_rt *r, bool action) { return r ? (action ? r->act_count : r->obs_count) : 0; }

ps_space_entry *ps_space_entry_at(ps_space_rt *r, bool action, size_t i)
{
    if (!r || i >= (action ? r->act_count : r->obs_count)) return NULL;
    return action ? &r->act[i].e : &r->obs[i].e;
}

uint64_t ps_space_clamps(const ps_space_rt *r) { return r ? r->clamps : 0; }

const char *ps_dtype_name(ps_dtype t)
{
    switch (t) {
    case PS_DTYPE_FLOAT32: return "float32";
    case PS_DTYPE_UINT8: return "uint8";
    case PS_DTYPE_INT32: return "int32";
    }
    return "?";
}

size_t ps_dtype_size(ps_dtype t)
{
    switch (t) {
    case PS_DTYPE_FLOAT32: return 4;
    case PS_DTYPE_UINT8: return 1;
    case PS_DTYPE_INT32: return 4;
    }
    return 0;
}
