// Readers for Lua def tables, with errors that name the call and the field.
#include "lua_rt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double ps_lua_field_number(lua_State *L, int t, const char *what, const char *field, double def)
{
    lua_getfield(L, t, field);
    double v = def;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "%s: field '%s' must be a number, got %s", what, field, luaL_typename(L, -1));
        v = lua_tonumber(L, -1);
        if (!isfinite(v)) luaL_error(L, "%s: field '%s' must be finite, got %f", what, field, v);
    }
    lua_pop(L, 1);
    return v;
}

bool ps_lua_field_bool(lua_State *L, int t, const char *what, const char *field, bool def)
{
    lua_getfield(L, t, field);
    bool v = def;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TBOOLEAN)
            luaL_error(L, "%s: field '%s' must be a boolean, got %s", what, field, luaL_typename(L, -1));
        v = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

const char *ps_lua_field_string(lua_State *L, int t, const char *what, const char *field, const char *def)
{
    lua_getfield(L, t, field);
    const char *v = def;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "%s: field '%s' must be a string, got %s", what, field, luaL_typename(L, -1));
        v = lua_tostring(L, -1); // stays valid: the string is referenced by the table
    }
    lua_pop(L, 1);
    return v;
}

static void read_numbers(lua_State *L, int t, const char *what, const char *field, double *out, int n)
{
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "%s: field '%s' must be a table of %d numbers, got %s", what, field, n, luaL_typename(L, t));
    if ((int)lua_rawlen(L, t) != n)
        luaL_error(L, "%s: field '%s' must hold %d numbers, got %d", what, field, n, (int)lua_rawlen(L, t));
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, t, i + 1);
        if (lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "%s: field '%s'[%d] must be a number, got %s", what, field, i + 1, luaL_typename(L, -1));
        out[i] = lua_tonumber(L, -1);
        if (!isfinite(out[i])) luaL_error(L, "%s: field '%s'[%d] must be finite", what, field, i + 1);
        lua_pop(L, 1);
    }
}

bool ps_lua_field_vec3(lua_State *L, int t, const char *what, const char *field, ps_vec3 *out)
{
    lua_getfield(L, t, field);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return false;
    }
    double v[3];
    read_numbers(L, lua_gettop(L), what, field, v, 3);
    *out = (ps_vec3){v[0], v[1], v[2]};
    lua_pop(L, 1);
    return true;
}

ps_quat ps_rpy_to_quat(double r, double p, double y)
{
    double cr = cos(r / 2), sr = sin(r / 2), cp = cos(p / 2), sp = sin(p / 2), cy = cos(y / 2), sy = sin(y / 2);
    return (ps_quat){
        cr * cp * cy + sr * sp * sy,
        sr * cp * cy - cr * sp * sy,
        cr * sp * cy + sr * cp * sy,
        cr * cp * sy - sr * sp * cy,
    };
}

void ps_quat_to_rpy(ps_quat q, double *r, double *p, double *y)
{
    *r = atan2(2 * (q.w * q.x + q.y * q.z), 1 - 2 * (q.x * q.x + q.y * q.y));
    double s = 2 * (q.w * q.y - q.z * q.x);
    *p = fabs(s) >= 1 ? copysign(1.5707963267948966, s) : asin(s);
    *y = atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

bool ps_lua_field_rotation(lua_State *L, int t, const char *what, ps_quat *out)
{
    lua_getfield(L, t, "quat");
    bool has_q = !lua_isnil(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, t, "rpy");
    bool has_r = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (has_q && has_r) luaL_error(L, "%s: give either 'quat' or 'rpy', not both", what);
    double v[4];
    if (has_q) {
        lua_getfield(L, t, "quat");
        read_numbers(L, lua_gettop(L), what, "quat", v, 4);
        lua_pop(L, 1);
        double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3]);
        if (n < 1e-9) luaL_error(L, "%s: field 'quat' must not be zero", what);
        *out = (ps_quat){v[0] / n, v[1] / n, v[2] / n, v[3] / n};
        return true;
    }
    if (has_r) {
        lua_getfield(L, t, "rpy");
        read_numbers(L, lua_gettop(L), what, "rpy", v, 3);
        lua_pop(L, 1);
        *out = ps_rpy_to_quat(v[0], v[1], v[2]);
        return true;
    }
    return false;
}

int ps_lua_arg_vec3(lua_State *L, int i, ps_vec3 *out)
{
    if (lua_type(L, i) == LUA_TTABLE) {
        double v[3];
        read_numbers(L, i, "argument", "vector", v, 3);
        *out = (ps_vec3){v[0], v[1], v[2]};
        return 1;
    }
    double v[3];
    for (int k = 0; k < 3; k++) {
        v[k] = luaL_checknumber(L, i + k);
        if (!isfinite(v[k])) luaL_argerror(L, i + k, "must be finite");
    }
    *out = (ps_vec3){v[0], v[1], v[2]};
    return 3;
}

void ps_lua_check_fields(lua_State *L, int t, const char *what, const char *const *allowed)
{
    t = lua_absindex(L, t);
    const char *worst = NULL;
    int worst_ref = LUA_NOREF;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            if (lua_type(L, -1) == LUA_TNUMBER) luaL_error(L, "%s: unexpected list entry; fields are named", what);
            continue;
        }
        const char *k = lua_tostring(L, -1);
        bool ok = false;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(k, allowed[i]) == 0) ok = true;
        // Report the alphabetically first unknown field, independent of pairs() order.
        if (!ok && (!worst || strcmp(k, worst) < 0)) {
            if (worst_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, worst_ref);
            lua_pushvalue(L, -1);
            worst_ref = luaL_ref(L, LUA_REGISTRYINDEX);
            worst = k;
        }
    }
    if (worst) {
        luaL_Buffer b;
        lua_rawgeti(L, LUA_REGISTRYINDEX, worst_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, worst_ref);
        luaL_buffinit(L, &b);
        for (int i = 0; allowed[i]; i++) {
            if (i) luaL_addstring(&b, ", ");
            luaL_addstring(&b, allowed[i]);
        }
        luaL_pushresult(&b);
        luaL_error(L, "%s: unknown field '%s' (known: %s)", what, lua_tostring(L, -2), lua_tostring(L, -1));
    }
}
