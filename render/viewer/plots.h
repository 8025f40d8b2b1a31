// The viewer's time plots (F3: reward, a joint's q and qd, contact force,
// solver health) and profiler (F4: where each frame's milliseconds go), as
// MuJoCo's simulate shows them: the plots one sample per physics step (the
// last PS_PLOT_STEP_N), the profiler one per frame (the last PS_PLOT_N).
#ifndef PS_VIEWER_PLOTS_H
#define PS_VIEWER_PLOTS_H

#include <stdbool.h>
#include <stdint.h>

enum { PS_PLOT_N = 240, PS_PLOT_STEP_N = 2000 };

/// The series: per physics step up to PS_PLOT_STEP_SERIES, then per frame.
typedef enum ps_plot_series {
    PS_PLOT_REWARD,        ///< the step's reward
    PS_PLOT_Q, PS_PLOT_QD, ///< the chosen joint: rad or m, rad/s or m/s
    PS_PLOT_FORCE,         ///< N: the sum of every contact force's magnitude
    PS_PLOT_JOINT_ERR,     ///< m: solver health, the largest joint anchor gap
    PS_PLOT_PENETRATION,   ///< m: solver health, the deepest contact
    PS_PLOT_STEP_SERIES,   ///< (count of the per-step series)
    PS_PLOT_MS_PHYSICS = PS_PLOT_STEP_SERIES, ///< profiler, ms per frame: collision and solver
    PS_PLOT_MS_SENSORS,    ///< sensors (camera images, lidar)
    PS_PLOT_MS_LUA,        ///< the scene's Lua, actions and observations (not the policy)
    PS_PLOT_MS_RENDER,     ///< drawing the 3D scene
    PS_PLOT_MS_UI,         ///< panels and overlays
    PS_PLOT_MS_SWAP,       ///< waiting for the buffer swap (the GPU or llvmpipe finishing)
    PS_PLOT_SERIES
} ps_plot_series;

typedef struct ps_plots {
    float step_v[PS_PLOT_STEP_SERIES][PS_PLOT_STEP_N];
    int step_head, step_count;
    uint64_t last_step;            ///< episode step of the newest step sample
    uint64_t step_samples;         ///< step samples taken since the plots last cleared
    float v[PS_PLOT_SERIES - PS_PLOT_STEP_SERIES][PS_PLOT_N];
    int head, count;
    size_t joint;                  ///< the chosen joint, counting every robot's joints in order
    char joint_name[96];           ///< its robot and name ("" none)
    // what the last sample saw
    uint64_t steps;
    double t_world, t_sensors, t_lua, t_policy;
    const void *episode;           ///< the episode of those counters (identity only)
} ps_plots;

/// Adds one frame's profiler sample: `values` has PS_PLOT_SERIES entries, of
/// which those from PS_PLOT_STEP_SERIES on are read.
void ps_plots_push(ps_plots *p, const float *values);
/// Adds one step's sample: `values` has PS_PLOT_STEP_SERIES entries.
void ps_plots_push_step(ps_plots *p, const float *values);
/// Forgets every sample (a new episode).
void ps_plots_clear(ps_plots *p);
/// How many samples `s` holds; ring size of its kind (PS_PLOT_STEP_N or PS_PLOT_N).
int ps_plots_count(const ps_plots *p, ps_plot_series s);
int ps_plots_capacity(ps_plot_series s);
/// The i-th sample of `s`, 0 the oldest, i < ps_plots_count(p, s).
float ps_plots_at(const ps_plots *p, ps_plot_series s, int i);

#endif
