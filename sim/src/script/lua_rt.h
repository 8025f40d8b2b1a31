// The Lua runtime behind a scene: one sandboxed lua_State, its allocator cap,
// instruction budget, seeded RNG, module search and the current world.
#ifndef PS_LUA_RT_H
#define PS_LUA_RT_H

#include "pilotsim/episode.h"
#include "pilotsim/rng.h"

#include <lua.h>
#include <lauxlib.h>

typedef struct ps_lua_rt {
    lua_State *L;
    ps_world *world;        // the running episode's world, NULL between episodes
    uint64_t serial;        // episode serial: handles made in another episode are stale
    ps_rng rng;             // the episode RNG behind math.random
    size_t mem_used, mem_limit;
    uint64_t budget, used;  // Lua instructions per top-level callback
    double wall_limit;      // s per top-level callback
    double started;         // monotonic s (coarse clock) when the running callback began
    const char *callback;   // name of the running callback, for messages
    // Set when the running top-level callback broke a limit: from then on the
    // hook raises stop_msg at every instruction of every coroutine, so a
    // pcall, xpcall or coroutine.resume that caught the first error cannot
    // keep the callback running. Cleared when the next callback starts.
    bool stopped;
    char stop_msg[512];
    ps_logger log;
    char **module_paths;
    size_t module_path_count;
    char **package_paths;
    size_t package_path_count;
    char *scene_dir;
    bool trusted;
    char **sources;         // files require() loaded, first-load order (ps_scene_source)
    uint64_t *source_hashes; // FNV-1a 64 of each one's bytes when it was loaded (0: unreadable)
    size_t source_count, source_cap;
} ps_lua_rt;

/// Creates the runtime (sandboxed unless opt->trusted). NULL on failure with `err`.
ps_lua_rt *ps_lua_rt_create(const ps_scene_options *opt, const char *scene_dir, char *err, size_t errlen);
void ps_lua_rt_destroy(ps_lua_rt *rt);

/// Remembers a source file the runtime loads (once): its path and the FNV-1a
/// 64 hash of its bytes, read now (ps_scene_source, ps_policy_source). Out of
/// memory only shortens the list.
void ps_lua_rt_add_source(ps_lua_rt *rt, const char *path);

/// The runtime of a Lua state (kept in the state's extra space).
static inline ps_lua_rt *ps_lua_rt_of(lua_State *L) { return *(ps_lua_rt **)lua_getextraspace(L); }

/// Calls the function below `nargs` arguments on the stack with a traceback
/// handler and a fresh instruction budget (nested calls share the outer one).
/// On error returns false, pops the error and writes "file:line: msg\ntraceback"
/// into `err`. `callback` names the callback in budget messages.
bool ps_lua_call(ps_lua_rt *rt, int nargs, int nresults, const char *callback, char *err, size_t errlen);

// Guards (lua_guard.c): Lua runs __gc finalizers and __close handlers with
// hooks off, outside every limit, so sandboxed code gets neither; and C reads
// scene-controlled tables without metamethods.
/// Pushes t[field] without metamethods (nil when `t` is not a table); returns its type.
int ps_lua_rawfield(lua_State *L, int t, const char *field);
/// t[field] = the value on top (popped), without metamethods; `t` must be a table.
void ps_lua_rawsetfield(lua_State *L, int t, const char *field);
/// Line of the first to-be-closed attribute (`<close>`) in Lua source, 0 if none.
int ps_lua_find_close_attrib(const char *src, size_t len);
/// luaL_loadbufferx in text mode that first refuses `<close>` (LUA_ERRSYNTAX,
/// "name:line: ..." pushed). `chunkname` as for Lua ("@path").
int ps_lua_load_text(lua_State *L, const char *src, size_t len, const char *chunkname);
/// The same for a file (at most 64 MiB); LUA_ERRFILE with a message when unreadable.
int ps_lua_load_file(lua_State *L, const char *path);
/// Replaces setmetatable with one that refuses a metatable holding __gc.
void ps_lua_guard_install(lua_State *L);

/// Whether `path` resolves (realpath, through symlinks) inside the scene's folder
/// or a module path; the resolved path (or "(unresolvable)") goes to `real`.
bool ps_lua_path_allowed(const ps_lua_rt *rt, const char *path, char *real, size_t n);

/// Registers the World/Body/Geom/Joint metatables (lua_world.c).
void ps_lua_open_world(lua_State *L);
/// A handle userdata: the episode serial it was made in and a generation-
/// checked id (index, gen; unused for the World).
typedef struct ps_lua_handle { uint64_t serial; uint32_t index, gen, world; } ps_lua_handle;
/// Checks argument i is a handle of metatable `mt` made in the running
/// episode; raises "stale <kind> handle: it belongs to an earlier episode".
ps_lua_handle *ps_lua_check_handle(lua_State *L, int i, const char *mt, const char *kind);
/// Pushes a handle of metatable `mt` for the running episode.
void ps_lua_push_handle(lua_State *L, const char *mt, uint32_t index, uint32_t gen, uint32_t world);

/// Registers metatable `name`: `methods` as __index, optional __eq and
/// __tostring, and a locked __metatable.
void ps_lua_new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction eq, lua_CFunction tostr);

/// Handle checks and pushes shared by the bindings (lua_world.c). The checks
/// raise a Lua error for a wrong type or a stale handle.
ps_world *ps_lua_check_world(lua_State *L, int i);
ps_world *ps_lua_check_body(lua_State *L, int i, ps_body_id *id);
ps_world *ps_lua_check_joint(lua_State *L, int i, ps_joint_id *id);
void ps_lua_push_body(lua_State *L, ps_body_id id);

/// Pushes a FloatArray over `data` (count floats; not owned): a[i], #a, and
/// a[i] = v when writable. It goes stale when rt->serial changes (space.c).
void ps_lua_push_array(lua_State *L, float *data, size_t count, bool writable);
/// The same read-only over `count` values of `dtype` (uint8 and int32 read as integers).
void ps_lua_push_typed(lua_State *L, const void *values, ps_dtype dtype, size_t count);

/// Registers the Sensor and FloatView metatables and world:sensor (lua_sensor.c).
void ps_lua_open_sensor(lua_State *L);
/// Registers the Robot metatable (lua_robot.c).
void ps_lua_open_robot(lua_State *L);
/// world:robot{...} (lua_robot.c); the World is argument 1.
int ps_lua_world_robot(lua_State *L);
/// Pushes a World handle for rt->world at the current serial.
void ps_lua_push_world(lua_State *L);

// Table readers for def tables (lua_util.c). Each raises a Lua error naming
// `what` and the field when the value has the wrong type.
double ps_lua_field_number(lua_State *L, int t, const char *what, const char *field, double def);
bool ps_lua_field_bool(lua_State *L, int t, const char *what, const char *field, bool def);
const char *ps_lua_field_string(lua_State *L, int t, const char *what, const char *field, const char *def);
/// Reads {x, y, z}; returns false (and leaves `out`) when the field is nil.
bool ps_lua_field_vec3(lua_State *L, int t, const char *what, const char *field, ps_vec3 *out);
/// Reads `quat` {w,x,y,z} or `rpy` {r,p,y}; false when both are nil.
bool ps_lua_field_rotation(lua_State *L, int t, const char *what, ps_quat *out);
/// Reads a vec3 at stack index `i` given as a table or as three numbers;
/// returns the number of stack slots consumed (1 or 3).
int ps_lua_arg_vec3(lua_State *L, int i, ps_vec3 *out);
/// Raises an error if table `t` has a string key not in the NULL-terminated
/// `allowed` list (the alphabetically first unknown is named).
void ps_lua_check_fields(lua_State *L, int t, const char *what, const char *const *allowed);
/// Roll-pitch-yaw (rad, URDF convention) to quaternion and back.
ps_quat ps_rpy_to_quat(double r, double p, double y);
void ps_quat_to_rpy(ps_quat q, double *r, double *p, double *y);

#endif
