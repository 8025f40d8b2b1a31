// Lua bindings of sensors: world:sensor{...} and the Sensor handle. Readings
// are read in place through a FloatView (no copy) or copied into a table.
#include "lua_rt.h"
#include "pilotsim/sensor.h"

#include <math.h>
#include <string.h>

#define MT_SENSOR "pilotsim.Sensor"
#define MT_VIEW "pilotsim.FloatView"

static ps_world *check_sensor(lua_State *L, int i, ps_sensor_id *id)
{
    ps_lua_handle *h = ps_lua_check_handle(L, i, MT_SENSOR, "sensor");
    ps_world *w = ps_lua_rt_of(L)->world;
    *id = (ps_sensor_id){h->index, h->gen, h->world};
    if (!ps_sensor_valid(w, *id)) luaL_error(L, "stale sensor handle");
    return w;
}

static void push_sensor(lua_State *L, ps_sensor_id id) { ps_lua_push_handle(L, MT_SENSOR, id.index, id.gen, id.world); }

static const char *const type_names[] = {"joint_state", "imu", "force_torque", "contact", "lidar",
                                         "odometry", "pose", "proximity", "camera", NULL};

static int w_sensor(lua_State *L)
{
    ps_world *w = ps_lua_check_world(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const char *what = "world:sensor";
    static const char *const f[] = {"type", "name", "body", "pos", "quat", "rpy", "rate", "noise", "joint", "h_beams",
                                    "v_beams", "h_fov", "v_min", "v_max", "range_min", "range_max", "attenuation",
                                    "spurious", "width", "height", "fov_y", "near", "far", "camera", "darkness", "lamp", NULL};
    ps_lua_check_fields(L, 2, what, f);
    const char *type = ps_lua_field_string(L, 2, what, "type", NULL);
    int ti = -1;
    for (int i = 0; type && type_names[i]; i++)
        if (!strcmp(type, type_names[i])) ti = i;
    if (ti < 0)
        return luaL_error(L, "%s: field 'type' must be one of joint_state, imu, force_torque, contact, lidar, "
                             "odometry, pose, proximity, camera; got %s", what, type ? type : "nil");
    ps_sensor_def d = ps_default_sensor_def((ps_sensor_type)ti);
    d.name = ps_lua_field_string(L, 2, what, "name", NULL);
    if (!d.name) return luaL_error(L, "%s: field 'name' is required", what);
    lua_getfield(L, 2, "body");
    if (!lua_isnil(L, -1)) ps_lua_check_body(L, -1, &d.body);
    lua_pop(L, 1);
    lua_getfield(L, 2, "joint");
    if (!lua_isnil(L, -1)) ps_lua_check_joint(L, -1, &d.joint);
    lua_pop(L, 1);
    ps_lua_field_vec3(L, 2, what, "pos", &d.pose.p);
    ps_lua_field_rotation(L, 2, what, &d.pose.q);
    d.rate = ps_lua_field_number(L, 2, what, "rate", d.rate);
    d.h_beams = (int)ps_lua_field_number(L, 2, what, "h_beams", d.h_beams);
    d.v_beams = (int)ps_lua_field_number(L, 2, what, "v_beams", d.v_beams);
    d.h_fov = ps_lua_field_number(L, 2, what, "h_fov", d.h_fov);
    d.v_min = ps_lua_field_number(L, 2, what, "v_min", d.v_min);
    d.v_max = ps_lua_field_number(L, 2, what, "v_max", d.v_max);
    d.range_min = ps_lua_field_number(L, 2, what, "range_min", d.range_min);
    d.range_max = ps_lua_field_number(L, 2, what, "range_max", d.range_max);
    d.attenuation = ps_lua_field_number(L, 2, what, "attenuation", d.attenuation);
    d.spurious = ps_lua_field_number(L, 2, what, "spurious", d.spurious);
    d.width = (int)ps_lua_field_number(L, 2, what, "width", d.width);
    d.height = (int)ps_lua_field_number(L, 2, what, "height", d.height);
    d.fov_y = ps_lua_field_number(L, 2, what, "fov_y", d.fov_y);
    d.near_clip = ps_lua_field_number(L, 2, what, "near", d.near_clip);
    d.far_clip = ps_lua_field_number(L, 2, what, "far", d.far_clip);
    d.darkness = ps_lua_field_number(L, 2, what, "darkness", d.darkness);
    d.lamp = ps_lua_field_number(L, 2, what, "lamp", d.lamp);
    const char *cam = ps_lua_field_string(L, 2, what, "camera", "rgb");
    if (!strcmp(cam, "rgb")) d.camera = PS_CAMERA_RGB;
    else if (!strcmp(cam, "depth")) d.camera = PS_CAMERA_DEPTH;
    else if (!strcmp(cam, "segmentation")) d.camera = PS_CAMERA_SEGMENTATION;
    else return luaL_error(L, "%s: field 'camera' must be \"rgb\", \"depth\" or \"segmentation\"", what);
    lua_getfield(L, 2, "noise");
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        int t = lua_gettop(L);
        static const char *const nf[] = {"stddev", "bias", "drift", "dropout", "quantum", "latency", NULL};
        ps_lua_check_fields(L, t, "world:sensor noise", nf);
        d.noise.stddev = ps_lua_field_number(L, t, "world:sensor noise", "stddev", 0);
        d.noise.bias = ps_lua_field_number(L, t, "world:sensor noise", "bias", 0);
        d.noise.drift = ps_lua_field_number(L, t, "world:sensor noise", "drift", 0);
        d.noise.dropout = ps_lua_field_number(L, t, "world:sensor noise", "dropout", 0);
        d.noise.quantum = ps_lua_field_number(L, t, "world:sensor noise", "quantum", 0);
        d.noise.latency = (int)ps_lua_field_number(L, t, "world:sensor noise", "latency", 0);
    }
    lua_pop(L, 1);
    ps_sensor_id id = ps_sensor_create(w, &d);
    if (id.gen == 0) return luaL_error(L, "%s: %s", what, ps_world_last_error(w));
    push_sensor(L, id);
    return 1;
}

static int s_read(lua_State *L)
{
    ps_sensor_id id;
    ps_world *w = check_sensor(L, 1, &id);
    size_t n;
    const float *v = ps_sensor_data(w, id, &n);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int s_value(lua_State *L)
{
    ps_sensor_id id;
    ps_world *w = check_sensor(L, 1, &id);
    size_t n;
    const float *v = ps_sensor_data(w, id, &n);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || (size_t)i > n) return luaL_error(L, "sensor '%s' has %d values; %d is out of range", ps_sensor_name(w, id), (int)n, (int)i);
    lua_pushnumber(L, v[i - 1]);
    return 1;
}

static int s_hits(lua_State *L)
{
    ps_sensor_id id;
    ps_world *w = check_sensor(L, 1, &id);
    size_t n;
    const int32_t *h = ps_sensor_hits(w, id, &n);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, h[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int s_shape(lua_State *L)
{
    ps_sensor_id id;
    ps_world *w = check_sensor(L, 1, &id);
    int shape[3];
    int nd = ps_sensor_shape(w, id, shape);
    lua_createtable(L, nd, 0);
    for (int i = 0; i < nd; i++) {
        lua_pushinteger(L, shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int s_stamp(lua_State *L)
{
    ps_sensor_id id;
    ps_world *w = check_sensor(L, 1, &id);
    lua_pushnumber(L, ps_sensor_stamp(w, id));
    return 1;
}

static int s_name(lua_State *L)
{
    ps_sensor_id id;
    ps_world *w = check_sensor(L, 1, &id);
    lua_pushstring(L, ps_sensor_name(w, id));
    return 1;
}

static int s_type(lua_State *L)
{
    ps_sensor_id id;
    ps_world *w = check_sensor(L, 1, &id);
    lua_pushstring(L, type_names[ps_sensor_get_type(w, id)]);
    return 1;
}

// A FloatView reads the sensor's buffer in place: view[i], #view.
static const float *view_data(lua_State *L, size_t *n)
{
    ps_lua_handle *h = ps_lua_check_handle(L, 1, MT_VIEW, "sensor view");
    ps_world *w = ps_lua_rt_of(L)->world;
    ps_sensor_id id = {h->index, h->gen, h->world};
    if (!ps_sensor_valid(w, id)) luaL_error(L, "stale sensor view");
    return ps_sensor_data(w, id, n);
}

static int v_index(lua_State *L)
{
    size_t n;
    const float *v = view_data(L, &n);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || (size_t)i > n) return luaL_error(L, "sensor view index %d out of range 1..%d", (int)i, (int)n);
    lua_pushnumber(L, v[i - 1]);
    return 1;
}

static int v_len(lua_State *L)
{
    size_t n;
    view_data(L, &n);
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

static int s_data(lua_State *L)
{
    ps_sensor_id id;
    check_sensor(L, 1, &id);
    ps_lua_push_handle(L, MT_VIEW, id.index, id.gen, id.world);
    return 1;
}

void ps_lua_open_sensor(lua_State *L)
{
    static const luaL_Reg m[] = {{"read", s_read}, {"value", s_value}, {"hits", s_hits}, {"shape", s_shape},
                                 {"stamp", s_stamp}, {"name", s_name}, {"type", s_type}, {"data", s_data},
                                 {NULL, NULL}};
    ps_lua_new_class(L, MT_SENSOR, m, NULL, NULL);
    luaL_newmetatable(L, MT_VIEW);
    lua_pushcfunction(L, v_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, v_len);
    lua_setfield(L, -2, "__len");
    lua_pushstring(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    // world:sensor lives on the World metatable.
    luaL_getmetatable(L, "pilotsim.World");
    lua_getfield(L, -1, "__index");
    lua_pushcfunction(L, w_sensor);
    lua_setfield(L, -2, "sensor");
    lua_pop(L, 2);
}
