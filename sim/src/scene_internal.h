// Private layout of a loaded scene (scene.c) shared with episodes (episode.c).
#ifndef PS_SCENE_INTERNAL_H
#define PS_SCENE_INTERNAL_H

#include "pilotsim/scene.h"
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

enum { PS_CB_BUILD, PS_CB_STEP, PS_CB_REWARD, PS_CB_FAILURE, PS_CB_SUCCESS, PS_CB_METRICS, PS_CB_COUNT };

struct ps_scene {
    ps_lua_rt *rt;
    char *path;
    char *name, *domain, *description;
    double timestep, time_limit;
    ps_world_def world_def;
    uint64_t content_hash;
    ps_param *params;     // sorted by name
    size_t param_count;
    int cb_ref[PS_CB_COUNT]; // LUA_NOREF when absent
    bool episode_open;
};

extern const char *const ps_callback_names[PS_CB_COUNT];

#endif
