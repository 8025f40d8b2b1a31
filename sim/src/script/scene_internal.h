// Private layout of a loaded scene (scene.c) shared with episodes (episode.c).
#ifndef PS_SCENE_INTERNAL_H
#define PS_SCENE_INTERNAL_H

#include "pilotsim/episode.h"
#include "lua_rt.h"

typedef enum { PS_PARAM_NUMBER, PS_PARAM_INTEGER, PS_PARAM_BOOLEAN, PS_PARAM_STRING } ps_param_type;

typedef struct ps_param {
    char *name;
    char *description;
    ps_param_type type;
    double min, max;
    bool randomize;
    bool overridden;
    double num;          // number / integer / boolean (0, 1) value
    char *str;           // string value
    char **choices;      // NULL-terminated, strings only; may be NULL
} ps_param;

enum { PS_CB_BUILD, PS_CB_STEP, PS_CB_REWARD, PS_CB_FAILURE, PS_CB_SUCCESS, PS_CB_METRICS, PS_CB_ACT, PS_CB_COUNT };

// A declared observation or action entry (space.c).
typedef enum { PS_SRC_SENSOR, PS_SRC_ROBOT_Q, PS_SRC_ROBOT_QD, PS_SRC_ROBOT_TAU, PS_SRC_FN, PS_SRC_PLAIN,
               PS_SRC_ROBOT_CMD } ps_space_src;

typedef struct ps_space_decl {
    char *name;
    ps_space_src src;
    char *target;          // sensor or robot name
    int ndim, shape[4];    // declared shape (0 dims: taken from the target at episode begin)
    double *low, *high;    // declared bounds (count), or NULL
    size_t bound_count;    // 1 = one value for every element
    int fn_ref;            // PS_SRC_FN: the Lua function
} ps_space_decl;

// Line of the first "field =" in a scene's source, 0 if none (scene.c).
int ps_scene_field_line(const char *src, size_t len, const char *field);

// Loads the scene table's `observation` and `action` fields (space.c).
bool ps_space_load(ps_scene *s, int table, const char *src, size_t len, char *err, size_t errlen);
void ps_space_free_decls(ps_scene *s);

struct ps_scene {
    ps_lua_rt *rt;
    char *path;
    char *name, *domain, *description;
    char *policy;          // declared baseline policy spec (NULL when none)
    double policy_hz;      // declared control rate (Hz), 0 = every step
    char *instruction;     // declared instruction text (NULL when none or a function)
    int instruction_ref;   // instruction = function(params, seed): its registry ref, else LUA_NOREF
    double timestep, time_limit;
    ps_world_def world_def;
    uint64_t content_hash;
    ps_param *params;     // sorted by name
    size_t param_count;
    int cb_ref[PS_CB_COUNT]; // LUA_NOREF when absent
    ps_space_decl *obs_decls, *act_decls;
    size_t obs_count, act_count;
    bool episode_open;
    bool has_view;          // the scene declares `view` (camera for screenshots, video, the viewer)
    ps_vec3 view_eye, view_target; // m, world frame
    double view_fov_y;      // rad
    double view_darkness;   // 0 daylight .. 1 dark (view.darkness)
    ps_render_fn render_fn; // camera render callback given to every episode's world (may be NULL)
    void *render_user;
    ps_render_error_fn render_error; // why render_fn failed (may be NULL)
    // Kept for the author-mistake checks after build (ps_scene_lint_build).
    char *src;              // the scene file's text
    size_t src_len;
    int table_ref;          // the scenario table
    int space_ref[2];       // its observation and action fields as loaded (LUA_REFNIL when absent)
};

// Line of the first assignment to `name` ("name =" at a line's start or ".name ="
// anywhere), 0 when none. For messages only.
int ps_scene_assign_line(const char *src, size_t len, const char *name);
// After build: warns (file:line) about spaces assigned to the scenario table after it
// loaded (they are ignored) and about handles (userdata) stored in ctx.state (they
// cannot be snapshotted, and go stale in the next episode).
void ps_scene_lint_build(ps_scene *s, int ctx_ref);

extern const char *const ps_callback_names[PS_CB_COUNT];

// Episode side (space.c): buffers bound at begin, refreshed after steps.
typedef struct ps_space_rt ps_space_rt;
ps_space_rt *ps_space_begin(ps_scene *s, ps_world *w, int ctx_ref, char *err, size_t errlen);
void ps_space_end(lua_State *L, ps_space_rt *r);
bool ps_space_observe(ps_scene *s, ps_space_rt *r, char *err, size_t errlen);
bool ps_space_apply_actions(ps_scene *s, ps_space_rt *r, char *err, size_t errlen);
size_t ps_space_count(const ps_space_rt *r, bool action);
ps_space_entry *ps_space_entry_at(ps_space_rt *r, bool action, size_t i);
uint64_t ps_space_clamps(const ps_space_rt *r);

// The episode's fields that state save/restore (state_episode.c) reads and writes.
typedef struct ps_episode_core {
    ps_scene *scene;
    ps_world *world;
    ps_episode_status *status;
    uint64_t *steps;
    double *ret;
    char *message;
    size_t message_size;
    int ctx_ref;
    ps_space_rt *space;
    uint64_t seed;          // the episode's seed (ps_episode_begin)
} ps_episode_core;
ps_episode_core ps_episode_core_of(ps_episode *e);
// Sets ctx.t and ctx.step from the world clock and the episode's step count.
void ps_episode_sync_clock(ps_episode *e);

#endif
