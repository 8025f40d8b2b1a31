// Lua bindings of the world: World, Body, Geom and Joint handles. Handles
// carry the episode serial and a generation-checked id; both are checked on
// every call, so a handle from a destroyed object or an old episode is a Lua
// error, never a dangling pointer.
#include "lua_rt.h"
#include "log_internal.h"
#include "pilotsim/body.h"
#include "pilotsim/geom.h"
#include "pilotsim/joint.h"
#include "pilotsim/material.h"
#include "pilotsim/robot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_WORLD "pilotsim.World"
#define MT_BODY "pilotsim.Body"
#define MT_GEOM "pilotsim.Geom"
#define MT_JOINT "pilotsim.Joint"

ps_lua_handle *ps_lua_check_handle(lua_State *L, int i, const char *mt, const char *kind)
{
    ps_lua_handle *h = luaL_checkudata(L, i, mt);
    ps_lua_rt *rt = ps_lua_rt_of(L);
    if (!rt->world || h->serial != rt->serial)
        luaL_error(L, "stale %s handle: it belongs to an earlier episode", kind);
    return h;
}

void ps_lua_push_handle(lua_State *L, const char *mt, uint32_t index, uint32_t gen, uint32_t world)
{
    ps_lua_handle *h = lua_newuserdatauv(L, sizeof *h, 0);
    *h = (ps_lua_handle){ps_lua_rt_of(L)->serial, index, gen, world};
    luaL_setmetatable(L, mt);
}

ps_world *ps_lua_check_world(lua_State *L, int i)
{
    ps_lua_check_handle(L, i, MT_WORLD, "world");
    return ps_lua_rt_of(L)->world;
}

ps_world *ps_lua_check_body(lua_State *L, int i, ps_body_id *id)
{
    ps_lua_handle *h = ps_lua_check_handle(L, i, MT_BODY, "body");
    ps_world *w = ps_lua_rt_of(L)->world;
    *id = (ps_body_id){h->index, h->gen, h->world};
    if (!ps_body_valid(w, *id)) luaL_error(L, "stale body handle: the body was destroyed");
    return w;
}

ps_world *ps_lua_check_joint(lua_State *L, int i, ps_joint_id *id)
{
    ps_lua_handle *h = ps_lua_check_handle(L, i, MT_JOINT, "joint");
    ps_world *w = ps_lua_rt_of(L)->world;
    *id = (ps_joint_id){h->index, h->gen, h->world};
    if (!ps_joint_valid(w, *id)) luaL_error(L, "stale joint handle: the joint was destroyed");
    return w;
}

static ps_world *check_geom(lua_State *L, int i, ps_geom_id *id)
{
    ps_lua_handle *h = ps_lua_check_handle(L, i, MT_GEOM, "geom");
    ps_world *w = ps_lua_rt_of(L)->world;
    *id = (ps_geom_id){h->index, h->gen, h->world};
    if (!ps_geom_valid(w, *id)) luaL_error(L, "stale geom handle: the geom was destroyed");
    return w;
}

void ps_lua_push_body(lua_State *L, ps_body_id id)
{
    if (!ps_body_is_set(id)) lua_pushnil(L);
    else ps_lua_push_handle(L, MT_BODY, id.index, id.gen, id.world);
}

static void push_geom(lua_State *L, ps_geom_id id) { ps_lua_push_handle(L, MT_GEOM, id.index, id.gen, id.world); }

static void push_joint(lua_State *L, ps_joint_id id)
{
    if (id.gen == 0) lua_pushnil(L);
    else ps_lua_push_handle(L, MT_JOINT, id.index, id.gen, id.world);
}

void ps_lua_push_world(lua_State *L) { ps_lua_push_handle(L, MT_WORLD, 0, 0, 0); }

static int push_vec3(lua_State *L, ps_vec3 v)
{
    lua_pushnumber(L, v.x);
    lua_pushnumber(L, v.y);
    lua_pushnumber(L, v.z);
    return 3;
}

static void push_vec3_table(lua_State *L, ps_vec3 v)
{
    lua_createtable(L, 3, 0);
    lua_pushnumber(L, v.x); lua_rawseti(L, -2, 1);
    lua_pushnumber(L, v.y); lua_rawseti(L, -2, 2);
    lua_pushnumber(L, v.z); lua_rawseti(L, -2, 3);
}

// Raises the world's last error when a library call failed.
static void check_status(lua_State *L, ps_world *w, ps_status st, const char *what)
{
    if (st != PS_OK) luaL_error(L, "%s: %s", what, ps_world_last_error(w));
}

/* ---------------------------------------------------------------- geoms */

static const char *const geom_fields[] = {"type", "name", "pos", "quat", "rpy", "size", "radius", "length",
                                          "normal", "offset", "heights", "rows", "cols", "vertices", "indices",
                                          "density", "material", "category", "collide", "group", "color", NULL};

static double *read_number_list(lua_State *L, int t, const char *field, const char *what, size_t *n)
{
    lua_getfield(L, t, field);
    if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "%s: field '%s' must be a list of numbers", what, field);
    size_t len = lua_rawlen(L, -1);
    double *v = lua_newuserdatauv(L, (len ? len : 1) * sizeof *v, 0); // GC-owned scratch
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, -2, (lua_Integer)i + 1);
        if (lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "%s: field '%s'[%d] must be a number, got %s", what, field, (int)i + 1, luaL_typename(L, -1));
        v[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    lua_remove(L, -2); // keep the scratch userdata on the stack
    *n = len;
    return v;
}

// Creates a geom from the def table at index t on body b (NONE = world).
// A closed mesh (every directed edge a->b matched by exactly one b->a) whose
// signed volume is negative has its triangles wound clockwise seen from outside:
// ODE then pushes bodies into it instead of out, and they fall through. Open
// meshes (terrain sheets) have no inside and are not checked.
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void check_trimesh_winding(lua_State *L, const double *v, const int *ind, int tris, const char *what)
{
    size_t ne = (size_t)tris * 3;
    uint64_t *e = lua_newuserdatauv(L, ne * sizeof *e, 0);
    double vol = 0;
    for (int t = 0; t < tris; t++) {
        const int *k = ind + 3 * t;
        const double *a = v + 3 * k[0], *b = v + 3 * k[1], *c = v + 3 * k[2];
        vol += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                a[2] * (b[0] * c[1] - b[1] * c[0])) / 6.0;
        for (int j = 0; j < 3; j++) e[3 * t + j] = (uint64_t)(uint32_t)k[j] << 32 | (uint32_t)k[(j + 1) % 3];
    }
    qsort(e, ne, sizeof *e, cmp_u64);
    bool closed = true;
    for (size_t i = 0; closed && i < ne; i++) {
        uint64_t rev = (e[i] & 0xffffffffu) << 32 | e[i] >> 32;
        if (i + 1 < ne && e[i + 1] == e[i]) closed = false; // the same directed edge twice
        else if (!bsearch(&rev, e, ne, sizeof *e, cmp_u64)) closed = false;
    }
    lua_pop(L, 1);
    if (closed && vol < 0)
        luaL_error(L, "%s: trimesh is inside out: its triangles wind clockwise seen from outside (signed volume %f m^3); "
                      "list each triangle's indices counter-clockwise seen from outside", what, vol);
}

static ps_geom_id make_geom(lua_State *L, ps_world *w, ps_body_id b, int t, const char *what)
{
    t = lua_absindex(L, t);
    luaL_checktype(L, t, LUA_TTABLE);
    ps_lua_check_fields(L, t, what, geom_fields);
    int top = lua_gettop(L);
    const char *type = ps_lua_field_string(L, t, what, "type", NULL);
    if (!type) luaL_error(L, "%s: field 'type' is required (box, sphere, capsule, cylinder, plane, heightfield, trimesh)", what);
    static const char *const types[] = {"box", "sphere", "capsule", "cylinder", "plane", "heightfield", "trimesh", NULL};
    int ti = -1;
    for (int i = 0; types[i]; i++)
        if (strcmp(type, types[i]) == 0) ti = i;
    if (ti < 0) luaL_error(L, "%s: unknown geom type '%s' (box, sphere, capsule, cylinder, plane, heightfield, trimesh)", what, type);
    ps_geom_def d = ps_default_geom_def((ps_geom_type)ti);
    d.name = ps_lua_field_string(L, t, what, "name", NULL);
    ps_lua_field_vec3(L, t, what, "pos", &d.pose.p);
    ps_lua_field_rotation(L, t, what, &d.pose.q);
    d.density = ps_lua_field_number(L, t, what, "density", d.density);
    d.radius = ps_lua_field_number(L, t, what, "radius", d.radius);
    d.length = ps_lua_field_number(L, t, what, "length", d.length);
    const char *bits[3] = {"category", "collide", "group"};
    uint32_t *dst[3] = {&d.category, &d.collide, &d.group};
    for (int k = 0; k < 3; k++) {
        double v = ps_lua_field_number(L, t, what, bits[k], *dst[k]);
        if (v < 0 || v > 4294967295.0 || v != floor(v))
            luaL_error(L, "%s: field '%s' must be an integer in 0..2^32-1, got %f", what, bits[k], v);
        if (k == 2 && v >= 2147483648.0) luaL_error(L, "%s: groups from 2^31 up are reserved for robots", what);
        *dst[k] = (uint32_t)v;
    }
    const char *mat = ps_lua_field_string(L, t, what, "material", NULL);
    if (mat) {
        d.material = ps_material_find(w, mat);
        if (!ps_material_is_set(d.material)) luaL_error(L, "%s: unknown material '%s' (create it with world:material{name=...})", what, mat);
    }
    lua_getfield(L, t, "color");
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        size_t n = lua_rawlen(L, -1);
        if (n < 3 || n > 4) luaL_error(L, "%s: field 'color' must be {r, g, b[, a]}", what);
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            d.rgba[i] = (float)luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    switch (d.type) {
    case PS_GEOM_BOX:
        if (!ps_lua_field_vec3(L, t, what, "size", &d.size)) luaL_error(L, "%s: box needs 'size' {x, y, z}", what);
        break;
    case PS_GEOM_PLANE: {
        ps_vec3 n = {0, 0, 1};
        ps_lua_field_vec3(L, t, what, "normal", &n);
        d.plane[0] = n.x; d.plane[1] = n.y; d.plane[2] = n.z;
        d.plane[3] = ps_lua_field_number(L, t, what, "offset", 0);
        break;
    }
    case PS_GEOM_HEIGHTFIELD: {
        lua_getfield(L, t, "size");
        if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) < 2) luaL_error(L, "%s: heightfield needs 'size' {x, y}", what);
        lua_rawgeti(L, -1, 1); d.size.x = luaL_checknumber(L, -1); lua_pop(L, 1);
        lua_rawgeti(L, -1, 2); d.size.y = luaL_checknumber(L, -1); lua_pop(L, 1);
        lua_pop(L, 1);
        d.rows = (int)ps_lua_field_number(L, t, what, "rows", 0);
        d.cols = (int)ps_lua_field_number(L, t, what, "cols", 0);
        size_t n;
        d.heights = read_number_list(L, t, "heights", what, &n);
        if (d.rows < 2 || d.cols < 2 || n != (size_t)d.rows * (size_t)d.cols)
            luaL_error(L, "%s: heightfield needs rows >= 2, cols >= 2 and rows*cols heights (got %d x %d and %d)", what,
                       d.rows, d.cols, (int)n);
        break;
    }
    case PS_GEOM_TRIMESH: {
        size_t nv, ni;
        d.vertices = read_number_list(L, t, "vertices", what, &nv);
        double *idx = read_number_list(L, t, "indices", what, &ni);
        if (nv % 3 || ni % 3 || nv == 0 || ni == 0) luaL_error(L, "%s: trimesh vertices and indices must be non-empty lists of triples", what);
        int *ind = lua_newuserdatauv(L, ni * sizeof *ind, 0);
        for (size_t i = 0; i < ni; i++) {
            if (idx[i] != floor(idx[i]) || idx[i] < 1 || idx[i] > (double)(nv / 3))
                luaL_error(L, "%s: trimesh index %d is %f, outside 1..%d", what, (int)i + 1, idx[i], (int)(nv / 3));
            ind[i] = (int)idx[i] - 1;
        }
        d.indices = ind;
        d.vertex_count = (int)(nv / 3);
        d.tri_count = (int)(ni / 3);
        check_trimesh_winding(L, d.vertices, ind, d.tri_count, what);
        break;
    }
    default: break;
    }
    ps_geom_id g = ps_geom_create(w, b, &d);
    if (g.gen == 0) luaL_error(L, "%s: %s", what, ps_world_last_error(w));
    lua_settop(L, top);
    return g;
}

/* ---------------------------------------------------------------- world */

static int w_material(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const f[] = {"name", "friction", "rolling", "restitution", "bounce_vel", "soft_erp", "soft_cfm", NULL};
    ps_lua_check_fields(L, 2, "world:material", f);
    ps_material_def d = ps_default_material_def();
    d.name = ps_lua_field_string(L, 2, "world:material", "name", NULL);
    if (!d.name) luaL_error(L, "world:material: field 'name' is required");
    d.friction = ps_lua_field_number(L, 2, "world:material", "friction", d.friction);
    d.rolling = ps_lua_field_number(L, 2, "world:material", "rolling", d.rolling);
    d.restitution = ps_lua_field_number(L, 2, "world:material", "restitution", d.restitution);
    d.bounce_vel = ps_lua_field_number(L, 2, "world:material", "bounce_vel", d.bounce_vel);
    d.softness_erp = ps_lua_field_number(L, 2, "world:material", "soft_erp", d.softness_erp);
    d.softness_cfm = ps_lua_field_number(L, 2, "world:material", "soft_cfm", d.softness_cfm);
    if (!ps_material_is_set(ps_material_create(w, &d))) luaL_error(L, "world:material: %s", ps_world_last_error(w));
    lua_pushstring(L, d.name);
    return 1;
}

static ps_material_id check_material(lua_State *L, ps_world *w, int i)
{
    const char *n = luaL_checkstring(L, i);
    ps_material_id m = ps_material_find(w, n);
    if (!ps_material_is_set(m)) luaL_error(L, "unknown material '%s'", n);
    return m;
}

static int w_pair_material(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    ps_material_id a = check_material(L, w, 2), b = check_material(L, w, 3);
    luaL_checktype(L, 4, LUA_TTABLE);
    static const char *const f[] = {"friction", "rolling", "restitution", "bounce_vel", "soft_erp", "soft_cfm", NULL};
    ps_lua_check_fields(L, 4, "world:pair_material", f);
    ps_material_def d;
    ps_material_combine(w, a, b, &d);
    d.friction = ps_lua_field_number(L, 4, "world:pair_material", "friction", d.friction);
    d.rolling = ps_lua_field_number(L, 4, "world:pair_material", "rolling", d.rolling);
    d.restitution = ps_lua_field_number(L, 4, "world:pair_material", "restitution", d.restitution);
    d.bounce_vel = ps_lua_field_number(L, 4, "world:pair_material", "bounce_vel", d.bounce_vel);
    d.softness_erp = ps_lua_field_number(L, 4, "world:pair_material", "soft_erp", d.softness_erp);
    d.softness_cfm = ps_lua_field_number(L, 4, "world:pair_material", "soft_cfm", d.softness_cfm);
    check_status(L, w, ps_material_set_pair(w, a, b, &d), "world:pair_material");
    return 0;
}

static int w_body(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const f[] = {"name", "kind", "pos", "quat", "rpy", "linvel", "angvel", "mass", "com", "inertia",
                                    "linear_damping", "angular_damping", "gravity", "geoms", NULL};
    const char *what = "world:body";
    ps_lua_check_fields(L, 2, what, f);
    ps_body_def d = ps_default_body_def();
    d.name = ps_lua_field_string(L, 2, what, "name", NULL);
    const char *kind = ps_lua_field_string(L, 2, what, "kind", "dynamic");
    if (strcmp(kind, "dynamic") == 0) d.kind = PS_BODY_DYNAMIC;
    else if (strcmp(kind, "kinematic") == 0) d.kind = PS_BODY_KINEMATIC;
    else if (strcmp(kind, "static") == 0) d.kind = PS_BODY_STATIC;
    else luaL_error(L, "%s: field 'kind' must be \"dynamic\", \"kinematic\" or \"static\", got \"%s\"", what, kind);
    ps_lua_field_vec3(L, 2, what, "pos", &d.pose.p);
    ps_lua_field_rotation(L, 2, what, &d.pose.q);
    ps_lua_field_vec3(L, 2, what, "linvel", &d.linvel);
    ps_lua_field_vec3(L, 2, what, "angvel", &d.angvel);
    d.mass = ps_lua_field_number(L, 2, what, "mass", 0);
    d.linear_damping = ps_lua_field_number(L, 2, what, "linear_damping", 0);
    d.angular_damping = ps_lua_field_number(L, 2, what, "angular_damping", 0);
    d.gravity = ps_lua_field_bool(L, 2, what, "gravity", true);
    ps_lua_field_vec3(L, 2, what, "com", &d.com);
    lua_getfield(L, 2, "inertia");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) != 6)
            luaL_error(L, "%s: field 'inertia' must be {ixx, iyy, izz, ixy, ixz, iyz}", what);
        for (int i = 0; i < 6; i++) {
            lua_rawgeti(L, -1, i + 1);
            d.inertia[i] = luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
        d.has_inertia = true;
    }
    lua_pop(L, 1);
    if (d.name && *d.name && ps_body_is_set(ps_body_find(w, d.name))) {
        // find_body and the logs would name only the first: say where the second came from
        luaL_where(L, 1);
        char msg[512];
        snprintf(msg, sizeof msg, "%sworld:body: a body named '%s' exists already (find_body returns the first; "
                 "give each body its own name)", lua_tostring(L, -1), d.name);
        lua_pop(L, 1);
        ps_log_write(&ps_lua_rt_of(L)->log, PS_LOG_WARN, msg);
    }
    ps_body_id b = ps_body_create(w, &d);
    if (!ps_body_is_set(b)) luaL_error(L, "%s: %s", what, ps_world_last_error(w));
    lua_getfield(L, 2, "geoms");
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        size_t n = lua_rawlen(L, -1);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            char gwhat[64];
            snprintf(gwhat, sizeof gwhat, "world:body geoms[%d]", (int)i);
            make_geom(L, w, b, -1, gwhat);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    ps_lua_push_body(L, b);
    return 1;
}

static int w_geom(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    push_geom(L, make_geom(L, w, PS_BODY_NONE, 2, "world:geom"));
    return 1;
}

static ps_body_id field_body(lua_State *L, int t, const char *field, bool required)
{
    lua_getfield(L, t, field);
    ps_body_id id = PS_BODY_NONE;
    if (lua_isnil(L, -1)) {
        if (required) luaL_error(L, "world:joint: field '%s' is required", field);
    } else {
        if (!luaL_testudata(L, -1, MT_BODY)) luaL_error(L, "world:joint: field '%s' must be a Body, got %s", field, luaL_typename(L, -1));
        ps_lua_check_body(L, -1, &id);
    }
    lua_pop(L, 1);
    return id;
}

static void read_axis(lua_State *L, int t, ps_joint_axis *a)
{
    const char *what = "world:joint";
    lua_getfield(L, t, "lo");
    lua_getfield(L, t, "hi");
    if (!lua_isnil(L, -1) || !lua_isnil(L, -2)) {
        a->limited = true;
        a->lo = luaL_optnumber(L, -2, -INFINITY);
        a->hi = luaL_optnumber(L, -1, INFINITY);
    }
    lua_pop(L, 2);
    a->motor_vel = ps_lua_field_number(L, t, what, "motor_vel", a->motor_vel);
    a->motor_fmax = ps_lua_field_number(L, t, what, "motor_fmax", a->motor_fmax);
    a->friction = ps_lua_field_number(L, t, what, "friction", a->friction);
    a->stop_erp = ps_lua_field_number(L, t, what, "stop_erp", a->stop_erp);
    a->stop_cfm = ps_lua_field_number(L, t, what, "stop_cfm", a->stop_cfm);
    a->bounce = ps_lua_field_number(L, t, what, "bounce", a->bounce);
}

static int w_joint(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const char *what = "world:joint";
    static const char *const f[] = {"type", "name", "body1", "body2", "anchor", "axis", "axis2", "lo", "hi",
                                    "motor_vel", "motor_fmax", "friction", "stop_erp", "stop_cfm", "bounce",
                                    "limits", "feedback", "break_force", "break_torque", NULL};
    ps_lua_check_fields(L, 2, what, f);
    const char *type = ps_lua_field_string(L, 2, what, "type", NULL);
    static const char *const types[] = {"hinge", "slider", "ball", "universal", "fixed", NULL};
    int ti = -1;
    for (int i = 0; type && types[i]; i++)
        if (strcmp(type, types[i]) == 0) ti = i;
    if (ti < 0) luaL_error(L, "%s: field 'type' must be hinge, slider, ball, universal or fixed, got %s", what, type ? type : "nil");
    ps_joint_def d = ps_default_joint_def((ps_joint_type)ti);
    d.name = ps_lua_field_string(L, 2, what, "name", NULL);
    d.body1 = field_body(L, 2, "body1", true);
    d.body2 = field_body(L, 2, "body2", false);
    // Without an anchor: body1's origin (fixed and slider joints use it only as
    // the point a break torque is measured about).
    if (!ps_lua_field_vec3(L, 2, what, "anchor", &d.anchor)) {
        ps_pose p;
        ps_body_get_pose(w, d.body1, &p);
        d.anchor = p.p;
    }
    ps_lua_field_vec3(L, 2, what, "axis", &d.axis);
    ps_lua_field_vec3(L, 2, what, "axis2", &d.axis2);
    d.feedback = ps_lua_field_bool(L, 2, what, "feedback", false);
    d.break_force = ps_lua_field_number(L, 2, what, "break_force", 0);
    d.break_torque = ps_lua_field_number(L, 2, what, "break_torque", 0);
    read_axis(L, 2, &d.axes[0]);
    lua_getfield(L, 2, "limits");
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        int n = (int)lua_rawlen(L, -1);
        if (n > 3) luaL_error(L, "%s: field 'limits' has more than 3 axes", what);
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, -1, i + 1);
            if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) != 2) luaL_error(L, "%s: limits[%d] must be {lo, hi}", what, i + 1);
            lua_rawgeti(L, -1, 1);
            lua_rawgeti(L, -2, 2);
            d.axes[i].limited = true;
            d.axes[i].lo = luaL_checknumber(L, -2);
            d.axes[i].hi = luaL_checknumber(L, -1);
            lua_pop(L, 3);
        }
    }
    lua_pop(L, 1);
    for (int i = 1; i < 3; i++) {
        d.axes[i].stop_erp = d.axes[0].stop_erp;
        d.axes[i].stop_cfm = d.axes[0].stop_cfm;
        d.axes[i].friction = d.axes[0].friction;
    }
    ps_joint_id j = ps_joint_create(w, &d);
    if (j.gen == 0) luaL_error(L, "%s: %s", what, ps_world_last_error(w));
    push_joint(L, j);
    return 1;
}

// world:solver(): the solver settings the world steps with, where they came
// from, and the strictest needs its robots declared (ps_world_solver_settings).
static int w_solver(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    ps_solver_settings st;
    ps_world_solver_settings(w, &st);
    lua_createtable(L, 0, 8);
    lua_pushstring(L, ps_solver_kind_name(st.solver));
    lua_setfield(L, -2, "solver");
    lua_pushinteger(L, st.iterations);
    lua_setfield(L, -2, "iterations");
    lua_pushstring(L, ps_setting_source_name(st.iterations_from));
    lua_setfield(L, -2, "iterations_from");
    lua_pushnumber(L, st.timestep);
    lua_setfield(L, -2, "timestep");
    lua_pushinteger(L, st.need_iterations);
    lua_setfield(L, -2, "need_iterations");
    lua_pushstring(L, st.need_iterations_robot);
    lua_setfield(L, -2, "need_iterations_robot");
    lua_pushnumber(L, st.need_timestep);
    lua_setfield(L, -2, "need_timestep");
    lua_pushstring(L, st.need_timestep_robot);
    lua_setfield(L, -2, "need_timestep_robot");
    return 1;
}

// world:zone{min = {x, y, z}, max = {x, y, z}}: a keep-out box the renderer draws.
static int w_zone(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const f[] = {"min", "max", NULL};
    ps_lua_check_fields(L, 2, "world:zone", f);
    ps_vec3 lo = {0, 0, 0}, hi = {0, 0, 0};
    if (!ps_lua_field_vec3(L, 2, "world:zone", "min", &lo) || !ps_lua_field_vec3(L, 2, "world:zone", "max", &hi))
        luaL_error(L, "world:zone: fields 'min' and 'max' are required");
    check_status(L, w, ps_world_add_zone(w, lo, hi), "world:zone");
    return 0;
}

static int w_time(lua_State *L) { lua_pushnumber(L, ps_world_time(ps_lua_check_world(L, 1))); return 1; }
static int w_steps(lua_State *L) { lua_pushinteger(L, (lua_Integer)ps_world_step_count(ps_lua_check_world(L, 1))); return 1; }

static int w_hash(lua_State *L)
{
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)ps_world_state_hash(ps_lua_check_world(L, 1)));
    lua_pushstring(L, buf);
    return 1;
}

static int w_find_body(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    ps_lua_push_body(L, ps_body_find(w, luaL_checkstring(L, 2)));
    return 1;
}

static int w_find_joint(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    push_joint(L, ps_joint_find(w, luaL_checkstring(L, 2)));
    return 1;
}

static int w_bodies(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    size_t n = ps_world_body_count(w);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        ps_lua_push_body(L, ps_world_body_at(w, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int w_contacts(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    // A reader of contact forces: measured from the next step on (before any step when
    // called in build, as scripts/scenario/safety.lua does).
    ps_world_set_contact_forces(w, true);
    size_t n;
    const ps_contact *c = ps_world_contacts(w, &n);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 6);
        ps_lua_push_body(L, c[i].body1);
        lua_setfield(L, -2, "body1");
        ps_lua_push_body(L, c[i].body2);
        lua_setfield(L, -2, "body2");
        push_vec3_table(L, c[i].pos);
        lua_setfield(L, -2, "pos");
        push_vec3_table(L, c[i].normal);
        lua_setfield(L, -2, "normal");
        lua_pushnumber(L, c[i].depth);
        lua_setfield(L, -2, "depth");
        push_vec3_table(L, c[i].force);
        lua_setfield(L, -2, "force");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static bool same_body(ps_body_id a, ps_body_id b) { return a.index == b.index && a.gen == b.gen; }

// world:measure_contact_forces(): contact forces from the next step on (see ps_world_set_contact_forces).
static int w_measure_contact_forces(lua_State *L)
{
    ps_world_set_contact_forces(ps_lua_check_world(L, 1), true);
    return 0;
}

static int w_touching(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    ps_body_id a, b = PS_BODY_NONE;
    ps_lua_check_body(L, 2, &a);
    bool any = lua_isnoneornil(L, 3);
    if (!any) ps_lua_check_body(L, 3, &b);
    size_t n;
    const ps_contact *c = ps_world_contacts(w, &n);
    for (size_t i = 0; i < n; i++) {
        bool has_a = same_body(c[i].body1, a) || same_body(c[i].body2, a);
        if (!has_a) continue;
        if (any || same_body(c[i].body1, b) || same_body(c[i].body2, b)) {
            lua_pushboolean(L, 1);
            return 1;
        }
    }
    lua_pushboolean(L, 0);
    return 1;
}

// Marks the body indices of one group entry (a Body, a Robot's links, or a list of
// Bodies) with group number g in map (index -> group + 1; 0 = in no group).
static void mark_group(lua_State *L, ps_world *w, int i, int g, int *map, size_t cap)
{
    i = lua_absindex(L, i);
    if (luaL_testudata(L, i, "pilotsim.Robot")) {
        ps_lua_handle *h = ps_lua_check_handle(L, i, "pilotsim.Robot", "robot");
        ps_robot_id r = {h->index, h->gen, h->world};
        size_t n = ps_robot_link_count(w, r);
        for (size_t k = 0; k < n; k++) {
            ps_body_id b = ps_robot_link_body(w, r, k);
            if (b.index < cap) map[b.index] = g + 1;
        }
    } else if (lua_istable(L, i)) {
        size_t n = lua_rawlen(L, i);
        for (size_t k = 1; k <= n; k++) {
            lua_rawgeti(L, i, (lua_Integer)k);
            ps_body_id b;
            ps_lua_check_body(L, -1, &b);
            if (b.index < cap) map[b.index] = g + 1;
            lua_pop(L, 1);
        }
    } else {
        ps_body_id b;
        ps_lua_check_body(L, i, &b);
        if (b.index < cap) map[b.index] = g + 1;
    }
}

static int cmp_pair(const void *a, const void *b)
{
    const int *x = a, *y = b;
    return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

// world:contact_pairs(groups): which groups (robots, bodies or lists of bodies) touch
// each other in the last step, as a sorted list of {i, j} (i < j, 1-based). One pass
// over the contacts in C, no table per contact: the fleet-scale way to ask "did any
// two robots collide".
static int w_contact_pairs(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t ng = lua_rawlen(L, 2);
    size_t nc;
    const ps_contact *c = ps_world_contacts(w, &nc);
    size_t cap = 0;
    for (size_t i = 0; i < nc; i++) {
        if (c[i].body1.index + 1 > cap) cap = c[i].body1.index + 1;
        if (c[i].body2.index + 1 > cap) cap = c[i].body2.index + 1;
    }
    int *map = lua_newuserdatauv(L, (cap ? cap : 1) * sizeof *map, 0);
    memset(map, 0, (cap ? cap : 1) * sizeof *map);
    for (size_t g = 0; g < ng; g++) {
        lua_rawgeti(L, 2, (lua_Integer)g + 1);
        mark_group(L, w, -1, (int)g, map, cap);
        lua_pop(L, 1);
    }
    int *pairs = lua_newuserdatauv(L, (nc ? nc : 1) * 2 * sizeof *pairs, 0);
    size_t np = 0;
    for (size_t i = 0; i < nc; i++) {
        if (!ps_body_is_set(c[i].body1) || !ps_body_is_set(c[i].body2)) continue; // static geometry
        int a = c[i].body1.index < cap ? map[c[i].body1.index] : 0;
        int b = c[i].body2.index < cap ? map[c[i].body2.index] : 0;
        if (!a || !b || a == b) continue;
        pairs[2 * np] = a < b ? a : b;
        pairs[2 * np + 1] = a < b ? b : a;
        np++;
    }
    qsort(pairs, np, 2 * sizeof *pairs, cmp_pair);
    lua_newtable(L);
    int n = 0;
    for (size_t i = 0; i < np; i++) {
        if (i && pairs[2 * i] == pairs[2 * i - 2] && pairs[2 * i + 1] == pairs[2 * i - 1]) continue;
        lua_createtable(L, 2, 0);
        lua_pushinteger(L, pairs[2 * i]);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, pairs[2 * i + 1]);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

static int w_tostring(lua_State *L)
{
    ps_lua_handle *u = luaL_checkudata(L, 1, MT_WORLD);
    lua_pushfstring(L, "World(episode %d)", (int)u->serial);
    return 1;
}

/* ---------------------------------------------------------------- bodies */

static int b_pos(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_pose p;
    ps_body_get_pose(w, b, &p);
    return push_vec3(L, p.p);
}

static int b_set_pos(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_pose p;
    ps_body_get_pose(w, b, &p);
    ps_lua_arg_vec3(L, 2, &p.p);
    check_status(L, w, ps_body_set_pose(w, b, p), "body:set_pos");
    return 0;
}

static int b_quat(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_pose p;
    ps_body_get_pose(w, b, &p);
    lua_pushnumber(L, p.q.w);
    lua_pushnumber(L, p.q.x);
    lua_pushnumber(L, p.q.y);
    lua_pushnumber(L, p.q.z);
    return 4;
}

static int b_set_quat(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_pose p;
    ps_body_get_pose(w, b, &p);
    if (lua_type(L, 2) == LUA_TTABLE) {
        for (int i = 0; i < 4; i++) lua_rawgeti(L, 2, i + 1);
        p.q = (ps_quat){luaL_checknumber(L, -4), luaL_checknumber(L, -3), luaL_checknumber(L, -2), luaL_checknumber(L, -1)};
    } else {
        p.q = (ps_quat){luaL_checknumber(L, 2), luaL_checknumber(L, 3), luaL_checknumber(L, 4), luaL_checknumber(L, 5)};
    }
    check_status(L, w, ps_body_set_pose(w, b, p), "body:set_quat");
    return 0;
}

static int b_rpy(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_pose p;
    ps_body_get_pose(w, b, &p);
    double r, pi, y;
    ps_quat_to_rpy(p.q, &r, &pi, &y);
    return push_vec3(L, (ps_vec3){r, pi, y});
}

static int b_set_rpy(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_pose p;
    ps_body_get_pose(w, b, &p);
    ps_vec3 e;
    ps_lua_arg_vec3(L, 2, &e);
    p.q = ps_rpy_to_quat(e.x, e.y, e.z);
    check_status(L, w, ps_body_set_pose(w, b, p), "body:set_rpy");
    return 0;
}

static int b_linvel(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 v;
    ps_body_get_linvel(w, b, &v);
    return push_vec3(L, v);
}

static int b_angvel(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 v;
    ps_body_get_angvel(w, b, &v);
    return push_vec3(L, v);
}

static int b_set_linvel(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 v;
    ps_lua_arg_vec3(L, 2, &v);
    check_status(L, w, ps_body_set_linvel(w, b, v), "body:set_linvel");
    return 0;
}

static int b_set_angvel(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 v;
    ps_lua_arg_vec3(L, 2, &v);
    check_status(L, w, ps_body_set_angvel(w, b, v), "body:set_angvel");
    return 0;
}

static int b_add_force(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 f, at;
    int used = ps_lua_arg_vec3(L, 2, &f);
    if (lua_isnoneornil(L, 2 + used)) {
        check_status(L, w, ps_body_add_force(w, b, f), "body:add_force");
    } else {
        ps_lua_arg_vec3(L, 2 + used, &at);
        check_status(L, w, ps_body_add_force_at(w, b, f, at), "body:add_force");
    }
    return 0;
}

static int b_add_rel_force(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 f;
    ps_lua_arg_vec3(L, 2, &f);
    check_status(L, w, ps_body_add_rel_force(w, b, f), "body:add_rel_force");
    return 0;
}

static int b_add_torque(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 t;
    ps_lua_arg_vec3(L, 2, &t);
    check_status(L, w, ps_body_add_torque(w, b, t), "body:add_torque");
    return 0;
}

static int b_mass(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    double m;
    ps_body_get_mass(w, b, &m, NULL, NULL);
    lua_pushnumber(L, m);
    return 1;
}

// body:inertia() -> {ixx, iyy, izz, ixy, ixz, iyz} about the centre of mass in
// the link's axes, kg m^2.
static int b_inertia(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    double I[6];
    ps_body_get_mass(w, b, NULL, NULL, I);
    lua_createtable(L, 6, 0);
    for (int i = 0; i < 6; i++) {
        lua_pushnumber(L, I[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

// body:set_mass(mass [, inertia]): a new mass (kg) and optionally inertia
// ({ixx, iyy, izz, ixy, ixz, iyz} about the centre of mass, link axes;
// default: the current one scaled by the mass ratio). The centre of mass
// stays where it is.
static int b_set_mass(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    double m = luaL_checknumber(L, 2), m0, I[6];
    ps_vec3 com;
    ps_body_get_mass(w, b, &m0, &com, I);
    if (lua_isnoneornil(L, 3)) {
        for (int i = 0; i < 6; i++) I[i] *= m0 > 0 ? m / m0 : 0;
    } else {
        if (lua_type(L, 3) != LUA_TTABLE || lua_rawlen(L, 3) != 6)
            return luaL_error(L, "body:set_mass: inertia must be {ixx, iyy, izz, ixy, ixz, iyz}");
        for (int i = 0; i < 6; i++) {
            lua_rawgeti(L, 3, i + 1);
            I[i] = luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
    }
    check_status(L, w, ps_body_set_mass(w, b, m, com, I), "body:set_mass");
    return 0;
}

static int b_com(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 c;
    ps_body_get_com_world(w, b, &c);
    return push_vec3(L, c);
}

static int b_to_world(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    ps_vec3 l, o;
    ps_lua_arg_vec3(L, 2, &l);
    ps_body_point_to_world(w, b, l, &o);
    return push_vec3(L, o);
}

static int b_name(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    lua_pushstring(L, ps_body_name(w, b));
    return 1;
}

static int b_kind(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    static const char *const k[] = {"dynamic", "kinematic", "static"};
    lua_pushstring(L, k[ps_body_get_kind(w, b)]);
    return 1;
}

static int b_id(lua_State *L)
{
    ps_body_id b;
    ps_lua_check_body(L, 1, &b);
    lua_pushinteger(L, (lua_Integer)b.index + 1);
    return 1;
}

static int b_valid(lua_State *L)
{
    ps_lua_handle *u = luaL_checkudata(L, 1, MT_BODY);
    ps_lua_rt *rt = ps_lua_rt_of(L);
    lua_pushboolean(L, rt->world && u->serial == rt->serial && ps_body_valid(rt->world, (ps_body_id){u->index, u->gen, u->world}));
    return 1;
}

static int b_destroy(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    check_status(L, w, ps_body_destroy(w, b), "body:destroy");
    return 0;
}

static int b_geom(lua_State *L)
{
    ps_body_id b;
    ps_world *w = ps_lua_check_body(L, 1, &b);
    push_geom(L, make_geom(L, w, b, 2, "body:geom"));
    return 1;
}

static int b_eq(lua_State *L)
{
    ps_lua_handle *a = luaL_testudata(L, 1, MT_BODY), *b = luaL_testudata(L, 2, MT_BODY);
    lua_pushboolean(L, a && b && a->serial == b->serial && a->index == b->index && a->gen == b->gen);
    return 1;
}

static int b_tostring(lua_State *L)
{
    ps_lua_handle *u = luaL_checkudata(L, 1, MT_BODY);
    ps_lua_rt *rt = ps_lua_rt_of(L);
    const char *n = (rt->world && u->serial == rt->serial) ? ps_body_name(rt->world, (ps_body_id){u->index, u->gen, u->world}) : NULL;
    lua_pushfstring(L, "Body(%s)", n ? n : "stale");
    return 1;
}

/* ---------------------------------------------------------------- joints */

static int axis_arg(lua_State *L, ps_world *w, ps_joint_id j, int i)
{
    lua_Integer a = luaL_optinteger(L, i, 1);
    int dof = ps_joint_dof(w, j);
    if (a < 1 || a > dof) luaL_error(L, "joint '%s' has %d axes; axis %d does not exist", ps_joint_name(w, j), dof, (int)a);
    return (int)a - 1;
}

static int j_position(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    double v;
    ps_joint_get_position(w, j, axis_arg(L, w, j, 2), &v);
    lua_pushnumber(L, v);
    return 1;
}

// joint:anchor() -> x, y, z and joint:axis([i]) -> x, y, z: the world-frame
// anchor (m) and unit axis as the bodies carry them now.
static int j_anchor(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    ps_vec3 p;
    if (ps_joint_get_world_frame(w, j, 0, &p, NULL) != PS_OK) return luaL_error(L, "joint:anchor: a fixed joint has no anchor");
    return push_vec3(L, p);
}

static int j_axis(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    ps_vec3 a;
    ps_joint_get_world_frame(w, j, axis_arg(L, w, j, 2), NULL, &a);
    return push_vec3(L, a);
}

static int j_rate(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    double v;
    ps_joint_get_rate(w, j, axis_arg(L, w, j, 2), &v);
    lua_pushnumber(L, v);
    return 1;
}

static int j_set_motor(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    double vel = luaL_checknumber(L, 2), fmax = luaL_checknumber(L, 3);
    check_status(L, w, ps_joint_set_motor(w, j, axis_arg(L, w, j, 4), vel, fmax), "joint:set_motor");
    return 0;
}

static int j_add_effort(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    double e = luaL_checknumber(L, 2);
    check_status(L, w, ps_joint_add_effort(w, j, axis_arg(L, w, j, 3), e), "joint:add_effort");
    return 0;
}

static int j_set_limits(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    int i = axis_arg(L, w, j, 4);
    ps_joint_axis a;
    ps_joint_get_axis(w, j, i, &a);
    a.limited = !(lua_isnil(L, 2) && lua_isnil(L, 3));
    a.lo = luaL_optnumber(L, 2, -INFINITY);
    a.hi = luaL_optnumber(L, 3, INFINITY);
    check_status(L, w, ps_joint_set_axis(w, j, i, &a), "joint:set_limits");
    return 0;
}

static int j_feedback(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    ps_vec3 f, t;
    if (ps_joint_get_feedback(w, j, &f, &t, NULL, NULL) != PS_OK)
        luaL_error(L, "joint '%s': create it with feedback = true to read forces", ps_joint_name(w, j));
    push_vec3(L, f);
    push_vec3(L, t);
    return 6;
}

static int j_broken(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    lua_pushboolean(L, ps_joint_broken(w, j));
    return 1;
}

static int j_broken_time(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    uint64_t s = ps_joint_broken_step(w, j);
    if (s == 0) lua_pushnil(L);
    else lua_pushnumber(L, (double)s * ps_world_get_def(w)->timestep);
    return 1;
}

static int j_load(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    double f, t;
    if (ps_joint_get_load(w, j, &f, &t) != PS_OK)
        luaL_error(L, "joint '%s': load() needs a breakable joint (break_force or break_torque > 0)", ps_joint_name(w, j));
    lua_pushnumber(L, f);
    lua_pushnumber(L, t);
    return 2;
}

static int j_name(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    lua_pushstring(L, ps_joint_name(w, j));
    return 1;
}

static int j_destroy(lua_State *L)
{
    ps_joint_id j;
    ps_world *w = ps_lua_check_joint(L, 1, &j);
    check_status(L, w, ps_joint_destroy(w, j), "joint:destroy");
    return 0;
}

/* ---------------------------------------------------------------- geoms */

static int g_body(lua_State *L)
{
    ps_geom_id g;
    ps_world *w = check_geom(L, 1, &g);
    ps_lua_push_body(L, ps_geom_body(w, g));
    return 1;
}

static int g_set_material(lua_State *L)
{
    ps_geom_id g;
    ps_world *w = check_geom(L, 1, &g);
    check_status(L, w, ps_geom_set_material(w, g, check_material(L, w, 2)), "geom:set_material");
    return 0;
}

static int g_destroy(lua_State *L)
{
    ps_geom_id g;
    ps_world *w = check_geom(L, 1, &g);
    check_status(L, w, ps_geom_destroy(w, g), "geom:destroy");
    return 0;
}

void ps_lua_new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction eq, lua_CFunction tostr)
{
    luaL_newmetatable(L, name);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    if (eq) {
        lua_pushcfunction(L, eq);
        lua_setfield(L, -2, "__eq");
    }
    if (tostr) {
        lua_pushcfunction(L, tostr);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pushstring(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

void ps_lua_open_world(lua_State *L)
{
    static const luaL_Reg world_m[] = {
        {"material", w_material}, {"pair_material", w_pair_material}, {"body", w_body}, {"geom", w_geom},
        {"joint", w_joint}, {"time", w_time}, {"steps", w_steps}, {"hash", w_hash}, {"find_body", w_find_body},
        {"find_joint", w_find_joint}, {"bodies", w_bodies}, {"contacts", w_contacts},
        {"measure_contact_forces", w_measure_contact_forces}, {"touching", w_touching}, {"contact_pairs", w_contact_pairs},
        {"robot", ps_lua_world_robot}, {"zone", w_zone}, {"solver", w_solver}, {NULL, NULL}};
    static const luaL_Reg body_m[] = {
        {"pos", b_pos}, {"set_pos", b_set_pos}, {"quat", b_quat}, {"set_quat", b_set_quat}, {"rpy", b_rpy},
        {"set_rpy", b_set_rpy}, {"linvel", b_linvel}, {"set_linvel", b_set_linvel}, {"angvel", b_angvel},
        {"set_angvel", b_set_angvel}, {"add_force", b_add_force}, {"add_rel_force", b_add_rel_force},
        {"add_torque", b_add_torque}, {"mass", b_mass}, {"set_mass", b_set_mass}, {"inertia", b_inertia}, {"com", b_com}, {"to_world", b_to_world}, {"name", b_name},
        {"kind", b_kind}, {"id", b_id}, {"valid", b_valid}, {"destroy", b_destroy}, {"geom", b_geom}, {NULL, NULL}};
    static const luaL_Reg joint_m[] = {
        {"position", j_position}, {"rate", j_rate}, {"anchor", j_anchor}, {"axis", j_axis}, {"set_motor", j_set_motor}, {"add_effort", j_add_effort},
        {"set_limits", j_set_limits}, {"feedback", j_feedback}, {"broken", j_broken},
        {"broken_time", j_broken_time}, {"load", j_load}, {"name", j_name}, {"destroy", j_destroy},
        {NULL, NULL}};
    static const luaL_Reg geom_m[] = {{"body", g_body}, {"set_material", g_set_material}, {"destroy", g_destroy}, {NULL, NULL}};
    ps_lua_new_class(L, MT_WORLD, world_m, NULL, w_tostring);
    ps_lua_new_class(L, MT_BODY, body_m, b_eq, b_tostring);
    ps_lua_new_class(L, MT_JOINT, joint_m, NULL, NULL);
    ps_lua_new_class(L, MT_GEOM, geom_m, NULL, NULL);
}
